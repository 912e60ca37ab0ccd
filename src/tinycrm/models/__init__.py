"""The CRM's records as plain data, one module per feature: no storage, no presentation.

Their vocabularies (relationship types, stages, channels, follow-up kinds, scales, severities)
are in `vocabulary`. Records are dataclasses with slots, frozen except Contact, which
imports and merges build up field by field.
"""

from tinycrm.models.cases import Case
from tinycrm.models.companies import Company, Departure, MergedSpelling
from tinycrm.models.contacts import (
    Anniversary,
    Contact,
    Labelled,
    PersonName,
    PostalAddress,
    StageChange,
)
from tinycrm.models.followups import FollowUp
from tinycrm.models.notes import Note
from tinycrm.models.reports import LifecycleRow, ReorderRow, ScoreCount, TopCustomer
from tinycrm.models.sales import Cost, Sale
from tinycrm.models.satisfaction import Score

__all__ = [
    "Anniversary",
    "Case",
    "Company",
    "Contact",
    "Cost",
    "Departure",
    "FollowUp",
    "Labelled",
    "LifecycleRow",
    "MergedSpelling",
    "Note",
    "PersonName",
    "PostalAddress",
    "ReorderRow",
    "Sale",
    "Score",
    "ScoreCount",
    "StageChange",
    "TopCustomer",
]
