"""Support cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinycrm.models.cases import Case


def case_dict(case: Case, contact_name: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": case.id,
        "contact_id": case.contact_id,
        "title": case.title,
        "severity": case.severity.value,
        "status": "open" if case.is_open else "resolved",
        "opened_on": case.opened_on.isoformat(),
        "target_on": case.target_on.isoformat(),
        "escalated_to": case.escalated_to,
        "escalated_on": case.escalated_on.isoformat() if case.escalated_on else None,
        "resolved_on": case.resolved_on.isoformat() if case.resolved_on else None,
        "resolution": case.resolution,
        "resolution_internal": case.resolution_internal,
        "reply_mail": case.reply_mail,  # null, pending or sent
        "reply_mail_detail": case.reply_mail_detail,
        "version": case.version,
    }
    if contact_name is not None:
        data["contact"] = contact_name
    return data
