"""tinycrm: a terminal CRM for small businesses."""

__version__ = "0.1.0"
