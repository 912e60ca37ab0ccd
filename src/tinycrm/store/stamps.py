"""When a row is written (`created_at`, `updated_at`, the history's `at`): the same text on
both backends, kept apart from either so that a repository loads neither backend's module."""

from __future__ import annotations

from datetime import datetime


def now_iso() -> str:
    """Now, local time with its UTC offset, to the second (ISO 8601)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")
