"""Contacts, and one contact's whole card (`crm contacts show --json`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinycrm.serialize.cases import case_dict
from tinycrm.serialize.followups import queue_item_dict
from tinycrm.serialize.notes import note_dict
from tinycrm.serialize.sales import sale_dict
from tinycrm.serialize.satisfaction import score_dict

if TYPE_CHECKING:
    from tinycrm.models.contacts import Contact
    from tinycrm.services.card import ContactDetails


def contact_dict(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "company": contact.company,
        "role": contact.role,
        "emails": list(contact.emails),
        "phones": list(contact.phones),
        "address": contact.address,
        "birthday": contact.birthday.iso() if contact.birthday else None,
        "anniversaries": [{"label": a.label, "date": a.when.iso()} for a in contact.anniversaries],
        "tags": list(contact.tags),
        "relationship_type": contact.relationship_type.value if contact.relationship_type else None,
        "stage": contact.stage.value if contact.stage else None,
        "cadence_days": contact.cadence_days,
        "cadence_override": contact.cadence_override,
        "owner": contact.owner,
        "owner_id": contact.owner_id,
        "referred_by": (
            {"id": contact.referred_by, "name": contact.referrer} if contact.referred_by else None
        ),
        "archived": contact.archived,
        "last_interaction_on": contact.last_touch_on.isoformat() if contact.last_touch_on else None,
        "version": contact.version,
        **card_dict(contact),
    }


def card_dict(contact: Contact) -> dict[str, Any]:
    """What an address book holds beyond the CRM's fields (vCard KIND, N, TITLE, …)."""
    parts = contact.name_parts
    return {
        "kind": contact.kind,
        "name_parts": None if parts is None else dict(zip(NAME_PARTS, parts.parts(), strict=True)),
        "nickname": contact.nickname,
        "job_title": contact.job_title,
        "gender": contact.gender,
        "email_labels": {e: contact.email_labels[e] for e in contact.emails
                         if e in contact.email_labels},
        "phone_labels": {p: contact.phone_labels[p] for p in contact.phones
                         if p in contact.phone_labels},
        "addresses": [{"label": a.label, **dict(zip(ADDRESS_PARTS, a.parts(), strict=True))}
                      for a in contact.postal_addresses()],
        "urls": [{"url": link.value, "label": link.label} for link in contact.urls],
        "ims": [{"uri": link.value, "label": link.label} for link in contact.ims],
        "related": [{"name": link.value, "label": link.label} for link in contact.related],
    }  # fmt: skip


NAME_PARTS = ("family", "given", "additional", "prefix", "suffix")
ADDRESS_PARTS = ("po_box", "extended", "street", "locality", "region", "postal_code", "country")


def contact_details_dict(details: ContactDetails) -> dict[str, Any]:
    return {
        **contact_dict(details.contact),
        "stage_history": [
            {"stage": s.stage.value, "date": s.changed_on.isoformat()} for s in details.stages
        ],
        "note_count": details.note_count,
        "notes": [note_dict(row.note) for row in details.notes],
        "follow_ups": [queue_item_dict(item) for item in details.follow_ups],
        "sales": [sale_dict(row.sale) for row in details.sales],
        "satisfaction": [score_dict(score) for score in details.scores],
        "cases": [case_dict(row.case) for row in details.cases],
        "referred": [{"id": i, "name": name} for i, name in details.referred],
        "no_surveys_since": since.isoformat() if (since := details.no_surveys_since) else None,
        "no_news_since": since.isoformat() if (since := details.no_news_since) else None,
    }
