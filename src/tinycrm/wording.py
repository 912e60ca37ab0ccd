"""Words every front end uses for the same thing: counts, and a due day relative to today."""

from __future__ import annotations

# Long lists are counted up to this many rows; beyond it every front end says "more than 1,000"
# (counting every overdue row of a million-contact CRM cost more than the page it heads).
TOTAL_LIMIT = 1000

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def total_text(total: int) -> str:
    """A list's total: '42', or 'more than 1,000' when it was counted up to TOTAL_LIMIT only."""
    return str(total) if total <= TOTAL_LIMIT else f"more than {TOTAL_LIMIT:,}"


def total_exact(total: int, shown: int) -> bool:
    """Whether a list's total is its whole count: within TOTAL_LIMIT, or every row was read."""
    return total <= TOTAL_LIMIT or shown >= total


def more_text(total: int, shown: int) -> str:
    """The rows of `total` not shown: '12 more', 'more than 950 more', or just 'more' when a
    page of TOTAL_LIMIT rows or longer is shown of a total counted past it."""
    if total <= TOTAL_LIMIT:
        return f"{total - shown} more"
    return f"more than {TOTAL_LIMIT - shown:,} more" if shown < TOTAL_LIMIT else "more"


# Said of a search with too many matches to rank (docs/search.md).
NARROW_HINT = "newest first: add a word to narrow the search"


def matches_text(shown: int, total: int) -> str:
    """How many of a search's matches are shown: '37', '20 of 37', '20 of more than 1,000'."""
    return total_text(total) if shown >= total else f"{shown} of {total_text(total)}"


def day_month(month: int, day: int, year: int | None = None) -> str:
    """'24 Dec', or '24 Dec 1986' with a year (English, whatever the machine's locale)."""
    text = f"{day} {MONTHS[month - 1]}"
    return f"{text} {year}" if year else text


def due_text(days_late: int, *, compact: bool = False) -> str:
    """When a follow-up is due, as the queue, the TUI, the digest and at-risk all say it:
    'today', 'tomorrow', 'in 3 days', '1 day late', '5 days late' (compact, for narrow
    columns: 'in 3d', '5d late')."""
    if days_late == 0:
        return "today"
    if days_late == -1:
        return "tomorrow"
    if days_late < 0:
        return f"in {-days_late}d" if compact else f"in {-days_late} days"
    return f"{days_late}d late" if compact else f"{plural(days_late, 'day')} late"
