"""The customer portal: a small web app where customers see and manage their side (issue 19).

Imported only by `crm portal …`; it calls services, never the store's SQL (docs/portal.md).
"""
