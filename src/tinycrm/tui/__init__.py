"""The Textual TUI (`crm tui`): the morning queue, customers, and forms over the same services.

Nothing here runs SQL or decides a business rule: screens call `tinycrm.services` and show the
result. Textual is imported only when this package is, never on the CLI's start-up path.
"""
