"""`crm users …`: the people who work in the CRM, who is running a command, hand-overs."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import JSON_OPTION, state
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.models.users import Holdings
from tinycrm.serialize.users import holdings_dict, user_dict
from tinycrm.services import users as service

app = CrmTyper(
    add_completion=False,
    help="The people who work in the CRM: owners, assignees, admins (docs/team.md).",
    no_args_is_help=True,
)

REF = typer.Argument(..., help="A user's name (or its start), login, e-mail or id.")
TIME_ZONE = typer.Option(
    None,
    "--time-zone",
    metavar="ZONE",
    help="Their IANA time zone, e.g. Europe/Berlin (default: the CRM's; '' resets).",
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Their name, as colleagues know them."),
    email: str = typer.Option(..., "--email", help="Where their digest goes."),
    login: str = typer.Option(
        None, "--login", help="Their OS login or PostgreSQL role: how the CRM knows them."
    ),
    admin: bool = typer.Option(False, "--admin", help="May manage users, hand over, forget."),
    time_zone: str = TIME_ZONE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a user (admins only, once the CRM has one). The first user added becomes the
    admin and, without --login, gets your login."""
    user = service.add_user(
        state(ctx).store_to_add_to,
        name,
        email=email,
        login=login,
        admin=admin,
        time_zone=time_zone,
    )
    what = ", ".join(
        [*(["admin"] if user.admin else []), *([f"login {user.login}"] if user.login else [])]
    )
    output.print_result(
        user_dict(user),
        f"added {user.name} (id {user.id}{', ' + what if what else ''})",
        as_json=as_json,
    )


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Everyone, deactivated people too, with what they hold."""
    rows = service.list_users(state(ctx).store)
    if as_json:
        output.print_json([{**user_dict(r.user), "holds": holdings_dict(r.holdings)} for r in rows])
        return
    output.print_table(
        [
            output.Column("Id"),
            output.Column("Name", max_width=24),
            output.Column("Login", narrow_rank=2),
            output.Column("Email", max_width=28),
            output.Column("Role"),
            output.Column("Time zone", narrow_rank=1),
            output.Column("Customers"),
            output.Column("Follow-ups", narrow_rank=4),
            output.Column("Cases", narrow_rank=3),
        ],
        (
            [
                r.user.id,
                r.user.name,
                r.user.login,
                r.user.email,
                ("admin" if r.user.admin else "staff") + ("" if r.user.active else ", inactive"),
                r.user.time_zone,
                r.holdings.customers,
                r.holdings.follow_ups,
                r.holdings.cases,
            ]
            for r in rows
        ),
        empty="no users: this CRM is a one-person shop (`crm users add NAME --email E`)",
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: str = REF,
    name: str = typer.Option(None, "--name", help="New name."),
    email: str = typer.Option(None, "--email", help="New e-mail."),
    login: str = typer.Option(None, "--login", help="New login ('' clears)."),
    admin: bool = typer.Option(None, "--admin/--no-admin", help="Make or unmake an admin."),
    time_zone: str = TIME_ZONE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a user's name, e-mail, login, admin flag or time zone (admins only)."""
    user = service.edit_user(
        state(ctx).store,
        ref,
        name=name,
        email=email,
        login=login,
        admin=admin,
        time_zone=time_zone,
    )
    output.print_result(user_dict(user), f"saved {user.name} (id {user.id})", as_json=as_json)


@app.command("deactivate")
def deactivate(ctx: typer.Context, ref: str = REF, as_json: bool = JSON_OPTION) -> None:
    """Deactivate someone who left (admins only): never deleted, what they did keeps their
    name. What they still hold is listed, for `crm users hand-over`."""
    user, holdings = service.deactivate(state(ctx).store, ref)
    if as_json:
        output.print_json({**user_dict(user), "holds": holdings_dict(holdings)})
        return
    output.print_success(f"deactivated {user.name} (id {user.id})")
    if holdings.total:
        output.print_notice(
            f"{user.name} still holds {describe_holdings(holdings)}: hand them over with"
            f" `crm users hand-over {user.id} --to USER`"
        )


@app.command("hand-over")
def hand_over(
    ctx: typer.Context,
    giver: str = typer.Argument(..., metavar="FROM", help="Who hands over (a user)."),
    taker: str = typer.Option(..., "--to", metavar="USER", help="Who takes over."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Move every customer, company, open follow-up and open case of one user to another, in
    one transaction (admins only)."""
    done = service.hand_over(state(ctx).store, giver, taker)
    if as_json:
        output.print_json(
            {
                "from": user_dict(done.giver),
                "to": user_dict(done.taker),
                "moved": holdings_dict(done.moved),
            }
        )
        return
    moved = describe_holdings(done.moved) if done.moved.total else "nothing"
    output.print_success(f"handed over {moved} from {done.giver.name} to {done.taker.name}")


@app.command("whoami")
def whoami(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Who the CRM takes you for (--as, CRM_USER, your login), and whether you may write."""
    identity = state(ctx).store.identity
    if as_json:
        output.print_json(
            {
                "user": user_dict(identity.user) if identity.user else None,
                "login": identity.login,
                "may_write": identity.refusal is None,
            }
        )
        return
    if identity.user is not None:
        role = "admin" if identity.user.admin else "staff"
        output.print_line(f"{identity.user.name} (id {identity.user.id}, {role})")
    else:
        output.print_line("nobody in particular: this CRM has no team yet")
    if identity.refusal:
        output.print_notice(identity.refusal)


def describe_holdings(holdings: Holdings) -> str:
    """'3 customers, 1 open follow-up' (only what there is)."""
    parts = [
        (holdings.customers, "customer", "customers"),
        (holdings.companies, "company", "companies"),
        (holdings.follow_ups, "open follow-up", "open follow-ups"),
        (holdings.cases, "open case", "open cases"),
    ]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)
