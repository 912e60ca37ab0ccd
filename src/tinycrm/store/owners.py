"""Whose contacts a read keeps: one user's, or nobody's (the per-owner digest, at-risk)."""

from __future__ import annotations

from typing import NamedTuple


class Owner(NamedTuple):
    """The contacts one user owns (`user_id`), or nobody owns (None)."""

    user_id: int | None


def owner_sql(owner: Owner | None) -> str:
    """The condition on contact `c` for `owner` (None: everyone), its user as `:owner`."""
    if owner is None:
        return "1 = 1"
    return "c.owner_id IS NULL" if owner.user_id is None else "c.owner_id = :owner"


def owner_params(owner: Owner | None) -> dict[str, object]:
    """The parameter `owner_sql`'s condition names, if any."""
    return {"owner": owner.user_id} if owner is not None and owner.user_id is not None else {}
