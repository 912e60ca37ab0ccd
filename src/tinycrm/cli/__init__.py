"""The `crm` command line: thin Typer sub-apps over the service layer."""
