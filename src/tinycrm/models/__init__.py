"""The CRM's records as plain data, one module per feature: no storage, no presentation.

Their vocabularies (relationship types, stages, channels, follow-up kinds, scales, severities)
are in `vocabulary`. Records are dataclasses with slots, frozen except Contact, which
imports and merges build up field by field. The package imports none of them: each is imported
from its module (`tinycrm.models.contacts`), so a command loads only the records it uses.
"""
