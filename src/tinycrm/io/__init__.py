"""Reading and writing contact files: vCard, CSV, JSON and iCalendar.

Pure parsing and formatting: no database, no terminal. Services turn the parsed records into
contacts (`services/transfer.py`); the CLI only chooses files and prints the report.
"""
