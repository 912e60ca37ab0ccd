"""Widgets of the tinycrm TUI."""
