"""The one conflict rule every front end uses (issue 15): a change made from a record as it was
loaded is saved only if nobody saved that record since; otherwise it is refused with what
changed meanwhile, and nothing is written. The store's conditional UPDATE
(store/versions.py) guarantees it; this module says it in words."""

from __future__ import annotations

from collections.abc import Sequence

from tinycrm.errors import Stale
from tinycrm.services.history import last_changed_by
from tinycrm.store import Store

SHOWN_CHARS = 40  # a changed value longer than this is cut with an ellipsis


def now_reads(label: str, value: object) -> str:
    """One changed field for a conflict message: 'phones (now 555 0101)'."""
    if value is None or value == "" or value == []:
        text = "empty"
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    if len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 1] + "…"
    return f"{label} (now {text})"


def check_loaded(
    store: Store,
    record: tuple[str, int],
    what: str,
    loaded_version: int | None,
    current_version: int,
    changes: Sequence[str] = (),
) -> None:
    """Raise Stale when the record `what` ("Ana Souza (id 1)"; `record` is its entity and id in
    the history) is no longer at the version the change was made from, naming who changed it
    and when; `changes` are the fields that differ now (`now_reads`), when the caller knows
    what was loaded. `loaded_version` None: the change was made from the record as read inside
    this transaction (a one-shot CLI command), never stale."""
    if loaded_version is None or loaded_version == current_version:
        return
    by = last_changed_by(store, *record)
    if changes:
        raise Stale(
            f"{what} was changed {by} since you opened it: {'; '.join(changes)}. Nothing was saved."
        )
    if loaded_version < current_version:
        raise Stale(
            f"{what} was changed {by} since version {loaded_version} (it is at"
            f" version {current_version} now). Nothing was saved."
        )
    raise Stale(f"{what} is at version {current_version}, not {loaded_version}. Nothing was saved.")
