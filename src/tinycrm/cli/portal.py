"""`crm portal …`: the customer portal, a small web app for the shop's customers (docs/portal.md).

Flask and waitress are imported only by `crm portal serve`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import typer

from tinycrm.cli import output
from tinycrm.cli.context import state
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.errors import CrmError, SendError, UsageError
from tinycrm.mail import plain
from tinycrm.mail.send import RecipientRefused, deliver, mail_config
from tinycrm.portal.texts import TEXTS
from tinycrm.services import portal
from tinycrm.wording import plural

if TYPE_CHECKING:
    from email.message import EmailMessage

app = CrmTyper(
    add_completion=False,
    help="The customer portal: customers sign in by e-mail and see their side (docs/portal.md).",
    no_args_is_help=True,
)


@app.callback()
def portal_group() -> None:
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


@app.command("invite")
def invite(
    ctx: typer.Context,
    refs: list[str] = typer.Argument(None, help="Contacts to invite (id, name or email)."),
    tag: str = typer.Option(None, "--tag", "-t", help="Invite every active contact so tagged."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Say who would be invited; send nothing."
    ),
) -> None:
    """E-mail customers the portal's address ([portal] base_url) and how to sign in, through
    the [smtp] settings, in [portal] language. Contacts without an e-mail address, or archived,
    are skipped and listed."""
    st = state(ctx)
    options = portal.portal_settings(st.settings.portal, st.settings.source)
    plan = portal.invitations(st.store, list(refs or []), tag)
    for contact, reason in plan.skipped:
        output.print_line(f"skipped {contact.name}: {reason}")
    if dry_run:  # who would be invited, also before the portal and mail are set up
        for invitee in plan.invitees:
            output.print_line(f"would invite {invitee.contact.name} <{invitee.address}>")
        return
    if options.base_url is None:
        raise UsageError(
            "set [portal] base_url in the config: the public address invitations point at"
        )
    smtp = mail_config(st.settings.smtp, st.settings.source, needs_to=False)
    words = TEXTS[options.language]
    shop = plain.shop_name(options, st.settings, smtp.sender)
    sent = 0
    refused: list[str] = []
    for invitee in plan.invitees:
        name = invitee.contact.name
        message = _invitation(invitee, smtp.sender, words, shop, f"{options.base_url}/")
        config = dataclasses.replace(smtp, recipients=(invitee.address,))
        try:
            deliver(message, config, lambda _partly: None, what=f"invitation to {invitee.address}")
        except RecipientRefused:
            refused.append(invitee.address)
            continue
        except SendError as exc:
            raise CrmError(f"{exc} ({plural(sent, 'invitation')} sent before)") from exc
        sent += 1
        output.print_line(f"invited {name} <{invitee.address}>")
    if refused:
        raise CrmError(
            f"{plural(sent, 'invitation')} sent; refused by the server: {', '.join(refused)}"
        )


def _invitation(
    invitee: portal.Invitee, sender: str, words: dict[str, str], shop: str, url: str
) -> EmailMessage:
    """The invitation e-mail, in the portal's language: where the portal is, how to sign in."""
    name = invitee.contact.name
    return plain.plain_message(
        sender,
        invitee.address,
        name,
        words["invite_subject"].format(shop=shop),
        words["invite_body"].format(name=name, shop=shop, url=url, address=invitee.address),
    )
