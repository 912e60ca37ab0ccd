"""Records as JSON-ready dicts with stable keys: `--json`, `crm digest --format json`, exports.

One module per feature; money is given both as a decimal string ("12.50") and in minor units.
"""
