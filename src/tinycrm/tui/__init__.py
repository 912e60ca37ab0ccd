"""The Textual TUI (`crm tui`): the morning queue, customers, and forms over the same services.

Nothing here runs SQL or decides a business rule: screens call `tinycrm.services` and show the
result. Textual is imported only when this package's modules are, never on the CLI's start-up
path (this file imports nothing heavy).
"""

from __future__ import annotations
