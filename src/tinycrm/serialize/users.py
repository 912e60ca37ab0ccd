"""Users, what they hold, and hand-overs as JSON-ready dicts."""

from __future__ import annotations

from tinycrm.models.users import Holdings, User


def user_dict(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "login": user.login,
        "admin": user.admin,
        "active": user.active,
        "time_zone": user.time_zone,
        "version": user.version,
    }


def holdings_dict(holdings: Holdings) -> dict[str, int]:
    return {
        "customers": holdings.customers,
        "companies": holdings.companies,
        "follow_ups": holdings.follow_ups,
        "cases": holdings.cases,
    }
