"""`crm sales …`: record sales (running the after-sale playbook), gifts and discounts."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import (
    JSON_OPTION,
    WRITE_AS_OF_OPTION,
    as_of_date,
    happened_on,
    read_date,
    state,
    today,
)
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.money import format_minor
from tinycrm.serialize.sales import cost_dict, sale_dict, sale_result_dict
from tinycrm.services import sales as service
from tinycrm.services.contacts import get_contact

app = CrmTyper(
    add_completion=False, help="Record sales, gifts and discounts.", no_args_is_help=True
)


@app.command("add", context_settings={"ignore_unknown_options": True})
def add(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    amount: str = typer.Argument(..., help="Exact amount, e.g. 49.90 (a dot for decimals)."),
    product: list[str] = typer.Option(None, "--product", "-p", help="Product (repeat for more)."),
    on: str = typer.Option(None, "--date", "-d", metavar="DATE", help="When (default today)."),
    currency: str = typer.Option(
        None, "--currency", help="ISO 4217 code (default: the config's sales.currency, EUR)."
    ),
    no_follow_up: bool = typer.Option(
        False,
        "--no-follow-up",
        help="Do not create the after-sale follow-ups (nor the referrer's thank-you).",
    ),
    as_of: str = WRITE_AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a sale: thank-you (+2 days) and satisfaction check (+14 days) follow-ups; the
    first sale sets the contact's "customer since" anniversary and, for a referred contact,
    creates a follow-up to thank the one who referred them ([playbook] after_referral)."""
    app_state = state(ctx)
    settings = app_state.settings
    now = as_of_date(ctx, as_of)
    result = service.add_sale(
        app_state.store,
        ref,
        amount,
        sold_on=happened_on(ctx, on, now),
        today=now,
        currency=currency or settings.default_currency,
        products=product or [],
        playbook=settings.after_sale_playbook,
        follow_up=not no_follow_up,
        open_days=settings.business_days,
        thank_referrer=settings.after_referral,
    )
    sale = result.sale
    if as_json:
        output.print_json(sale_result_dict(result))
        return
    output.print_success(
        f"sale {sale.id}: {format_minor(sale.amount_minor, sale.currency)} to"
        f" {result.contact_name} on {sale.sold_on}"
    )
    for item in result.follow_ups:
        output.print_line(f"  follow-up {item.id}: {item.title} on {item.due_on}")
    if result.skipped_steps:
        output.print_notice(f"not created (already past): {', '.join(result.skipped_steps)}")
    if result.customer_since_set:
        output.print_line(f"  customer since {sale.sold_on}")
    if (thanks := result.referral_thanks) is not None:
        output.print_line(f"  follow-up {thanks.id}: {thanks.title} on {thanks.due_on}")


@app.command("list")
def list_(
    ctx: typer.Context,
    ref: str = typer.Argument(None, help="Only this contact's sales."),
    limit: int = typer.Option(
        100, "--limit", "-n", min=0, max=1_000_000, help="At most this many (0: all)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Sales, newest first."""
    rows = service.list_sales(state(ctx).store, ref, limit or None)
    if as_json:
        output.print_json([sale_dict(r.sale, r.contact_name) for r in rows])
        return
    output.print_table(
        ["Id", "Date", "Contact", "Amount", "Products"],
        ([r.sale.id, r.sale.sold_on, r.contact_name,
          format_minor(r.sale.amount_minor, r.sale.currency), list(r.sale.products)]
         for r in rows),
        empty="no sales",
    )  # fmt: skip


@app.command("cost", context_settings={"ignore_unknown_options": True})
def cost(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    amount: str = typer.Argument(..., help="Exact amount, e.g. 15.00."),
    kind: str = typer.Option("gift", "--kind", "-k", help="gift or discount."),
    note: str = typer.Option(None, "--note", help="What it was."),
    on: str = typer.Option(None, "--date", "-d", metavar="DATE", help="When (default today)."),
    currency: str = typer.Option(None, "--currency", help="ISO 4217 code."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a gift or a discount given to a customer (counted in `report top --by profit`)."""
    app_state = state(ctx)
    item = service.add_cost(
        app_state.store,
        ref,
        amount,
        kind=kind,
        spent_on=read_date(ctx, on, prefer="past") if on else today(),
        currency=currency or app_state.settings.default_currency,
        note=note,
    )
    if as_json:
        output.print_json(cost_dict(item))
    else:
        name = get_contact(app_state.store, item.contact_id).name
        output.print_success(
            f"{item.kind} of {format_minor(item.amount_minor, item.currency)} recorded"
            f" for {name} on {item.spent_on}"
        )
