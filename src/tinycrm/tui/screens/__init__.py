"""Screens of the tinycrm TUI: queue (start), customers, customer, help."""
