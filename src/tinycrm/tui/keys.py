"""The TUI's one key map: a key means the same thing on every screen where it applies.

Screens list these bindings rather than their own, so `n` is always a note, `$` always a sale,
`*` always a score, `f` always a follow-up (docs/tui.md has the table).
"""

from __future__ import annotations

from textual.binding import Binding

# everywhere (the app's own bindings)
HELP = Binding("f1,question_mark", "help", "Help")
QUEUE = Binding("f2", "show('queue')", "Queue")
CUSTOMERS = Binding("f3", "show('customers')", "Customers")
SEARCH = Binding("slash", "search", "Search", show=False)
ADD_CONTACT = Binding("a", "add_contact", "Add contact", show=False)
PASS_ON = Binding("p", "pass_on", "Pass on", show=False)
REFRESH = Binding("f5", "reload", "Refresh", show=False)
QUIT = Binding("q", "quit", "Quit", show=False)

# on the selected customer: a queue row, a customer row, the card
OPEN = Binding("enter,o", "open", "Open", show=False)
EDIT = Binding("e", "edit", "Edit", show=False)
NOTE = Binding("n", "note", "Note", show=False)
CALL = Binding("c", "log_call", "Call")
FOLLOW_UP = Binding("f", "follow_up", "Follow-up", show=False)
SALE = Binding("dollar_sign", "sale", "Sale", show=False)
SCORE = Binding("asterisk", "score", "Score", show=False)
OPEN_CASE = Binding("k", "open_case", "Case", show=False)
ESCALATE = Binding("K", "escalate_case", "Escalate", show=False)
RESOLVE = Binding("R", "resolve_case", "Resolve", show=False)
COMPANY = Binding("C", "company", "Company", show=False)
CUSTOMER_KEYS = [EDIT, NOTE, CALL, FOLLOW_UP, SALE, SCORE, OPEN_CASE, ESCALATE, RESOLVE, COMPANY]

# the queue's rows
DONE = Binding("d", "done", "Done")
DONE_NOTE = Binding("D", "done_with_note", "Done+note", show=False)
SNOOZE = Binding("s", "snooze", "Snooze")
SKIP = Binding("x", "skip", "Skip")
UNDO = Binding("u", "undo", "Undo")
WHOSE = Binding("v", "toggle_whose", "Mine/all", show=False)

# customers and the card
FILTER = Binding("t", "focus_filters", "Filter", show=False)
CLEAR = Binding("escape", "clear", "Clear", show=False)
BACK = Binding("escape,backspace", "back", "Back")
MORE_NOTES = Binding("m", "more_notes", "More notes", show=False)
HISTORY = Binding("h", "history", "History")
