"""`crm portal …`: the customer portal, a small web app for the shop's customers (docs/portal.md).

Flask and waitress are imported only here, when a portal command runs.
"""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import state
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.errors import UsageError

app = CrmTyper(
    add_completion=False,
    help="The customer portal: customers sign in by e-mail and see their side (docs/portal.md).",
    no_args_is_help=True,
)


@app.callback()
def portal() -> None:
    """The customer portal: customers sign in by e-mail and see their side (docs/portal.md)."""


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to listen on."),
    threads: int = typer.Option(8, "--threads", min=1, max=64, help="Requests served at once."),
) -> None:
    """Serve the portal with waitress until stopped (Ctrl-C). Put it behind a reverse proxy
    with HTTPS and set [portal] base_url to its public address; sign-in e-mails go through
    the [smtp] settings."""
    from waitress import create_server

    from tinycrm.portal.app import create_app

    st = state(ctx)
    st.store  # a missing database is reported here, before listening  # noqa: B018
    shown = f"[{host}]" if ":" in host else host
    flask_app = create_app(st.db_path, st.settings, base_url=f"http://{shown}:{port}")
    try:
        server = create_server(flask_app, host=host, port=port, threads=threads, ident="tinycrm")
    except OSError as exc:
        raise UsageError(f"cannot listen on {shown}:{port}: {exc.strerror or exc}") from exc
    output.print_notice(f"crm: serving the portal on http://{shown}:{port} (Ctrl-C stops)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        flask_app.extensions["tinycrm.stores"].close()
