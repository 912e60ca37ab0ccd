"""Service functions: the rules of the CRM, shared by the CLI, the TUI and the digest.

Each takes a `Store` and, where time matters, `today: date`; none prints or imports a UI.
"""
