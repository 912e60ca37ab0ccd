"""`crm report …`: the analytical reports. Each takes --as-of and --json."""

from __future__ import annotations

import typer

from tinycrm.cli import output
from tinycrm.cli.context import AS_OF_OPTION, JSON_OPTION, as_of_date, read_date, state
from tinycrm.cli.plain_help import CrmTyper
from tinycrm.errors import UsageError
from tinycrm.money import format_minor
from tinycrm.serialize.referrals import referrals_dict
from tinycrm.serialize.reports import (
    at_risk_dict,
    company_risk_dict,
    lifecycle_dict,
    reorder_dict,
    satisfaction_dict,
    suggestions_dict,
    team_dict,
    top_dict,
)
from tinycrm.services import analytics, atrisk, lifecycle, referrals, team
from tinycrm.wording import total_text

app = CrmTyper(
    help="Reorder, at-risk, top customers, lifecycle, satisfaction, suggestions, referrals, team.",
    no_args_is_help=True,
    add_completion=False,
)

LIMIT = typer.Option(
    50, "--limit", "-n", min=0, max=1_000_000, help="At most this many rows (0: all)."
)


PER = typer.Option(
    "contact", "--by", metavar="contact|company", help="One row per contact, or per company."
)


def per_company(by: str) -> bool:
    """`--by company` (rows are companies) or `--by contact` (the default)."""
    value = by.strip().lower()
    if value not in ("contact", "company"):
        raise UsageError(f"--by must be contact or company, not {by!r}")
    return value == "company"


def _footer(shown: int, total: int) -> str | None:
    return f"showing {shown} of {total_text(total)} (--limit 0 for all)" if total > shown else None


@app.command("reorder")
def reorder(
    ctx: typer.Context,
    days: int = typer.Option(
        analytics.REORDER_WINDOW_DAYS, "--days", min=0, max=365, help="Include due within N days."
    ),
    limit: int = LIMIT,
    by: str = PER,
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Customers with 3+ purchases whose usual (median) interval has elapsed or soon will;
    --by company: companies, from the purchase days of all their people."""
    day = as_of_date(ctx, as_of)
    companies = per_company(by)
    reorder_of = analytics.reorder_by_company if companies else analytics.reorder
    page = reorder_of(state(ctx).store, day, days, limit or None)
    if as_json:
        output.print_json(reorder_dict(day, days, page, per_company=companies))
        return
    output.print_table(
        ["Id", "Company" if companies else "Contact", "Purchases", "Last", "Every", "Due",
         "Overdue"],
        ([r.contact_id, r.name, r.purchases, r.last_on, f"{r.median_gap:g} d", r.due_on,
          f"{(day - r.due_on).days} d" if r.due_on < day else ("today" if r.due_on == day
          else f"in {(r.due_on - day).days} d")] for r in page.rows),
        title=f"Reorder due by {day}",
        empty="no customer is due to reorder",
        footer=_footer(len(page.rows), page.total),
    )  # fmt: skip


@app.command("at-risk")
def at_risk(
    ctx: typer.Context,
    limit: int = LIMIT,
    by: str = PER,
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Customers losing touch, with falling or low satisfaction, or with open cases.
    --by company: companies where nobody was contacted within the company's cadence (without
    one: everyone there is losing touch), or whose people are at risk."""
    day = as_of_date(ctx, as_of)
    if per_company(by):
        companies = atrisk.at_risk_by_company(state(ctx).store, day, limit or None)
        shown = companies.rows
        if as_json:
            output.print_json(company_risk_dict(day, companies.total, shown))
            return
        output.print_table(
            ["Id", "Company", "Why"],
            ([c.company_id, c.name, "; ".join(c.reasons)] for c in shown),
            title=f"Companies at risk on {day}",
            empty="no company is at risk",
            footer=_footer(len(shown), companies.total),
        )
        return
    page = atrisk.at_risk(state(ctx).store, day, limit or None)
    if as_json:
        output.print_json(at_risk_dict(day, page))
        return
    output.print_table(
        ["Id", "Contact", "Why"],
        ([r.contact_id, r.name, "; ".join(atrisk.risk_reasons(r))] for r in page.rows),
        title=f"At risk on {day}",
        empty="nobody is at risk",
        footer=_footer(len(page.rows), page.total),
    )


@app.command("top")
def top(
    ctx: typer.Context,
    since: str = typer.Option(
        None, "--since", metavar="DATE", help="Start of the period (default: 12 months back)."
    ),
    by: list[str] = typer.Option(
        ["revenue"],
        "--by",
        metavar="revenue|profit|company",
        help="Rank by revenue or profit; company: one row per company (both may be given).",
    ),
    limit: int = typer.Option(
        20, "--limit", "-n", min=0, max=1_000_000, help="At most this many (0: all)."
    ),
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Top customers by revenue (per currency) over a period, with profit where the cost to
    serve is known: gifts, discounts, and logged minutes x [costs] hourly from the config."""
    app_state = state(ctx)
    day = as_of_date(ctx, as_of)
    wanted = [b.strip().lower() for b in by]
    measures = [b for b in wanted if b != "company"] or ["revenue"]
    if len(measures) > 1:
        raise UsageError("--by takes one of revenue or profit (and company)")
    report = analytics.top(
        app_state.store,
        day,
        since=read_date(ctx, since, prefer="past") if since else None,
        by=measures[0],
        per_company="company" in wanted,
        hourly_cost=app_state.settings.hourly_cost,
        cost_currency=app_state.settings.default_currency,
        limit=limit or None,
    )
    if as_json:
        output.print_json(top_dict(report))
        return
    output.print_table(
        [output.Column("Id"),
         output.Column("Company" if report.per_company else "Contact", max_width=24),
         output.Column("Sales", narrow_rank=3), output.Column("Revenue"),
         output.Column("Minutes", narrow_rank=1), output.Column("Gifts/discounts", narrow_rank=2),
         output.Column("Profit")],
        ([r.contact_id, r.name, r.sales, format_minor(r.revenue_minor, r.currency), r.minutes,
          format_minor(r.costs_minor, r.currency),
          format_minor(r.profit_minor, r.currency) if r.profit_minor is not None else "unknown"]
         for r in report.rows),
        title=f"Top {'companies' if report.per_company else 'customers'} by {report.by},"
        f" {report.start} to {report.end}",
        empty="no sales in this period",
        footer=None if report.hourly_minor is not None else
        "profit: set [costs] hourly in the config to count logged time",
    )  # fmt: skip


@app.command("lifecycle")
def lifecycle_(
    ctx: typer.Context,
    changes: bool = typer.Option(False, "--changes", help="Only customers with a suggestion."),
    limit: int = LIMIT,
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Each customer's lifecycle stage and a suggested change from their activity."""
    day = as_of_date(ctx, as_of)
    page = lifecycle.lifecycle_report(state(ctx).store, day, changes, limit or None)
    if as_json:
        output.print_json(lifecycle_dict(day, page))
        return
    output.print_table(
        [output.Column("Id"), output.Column("Contact", max_width=24),
         output.Column("Stage", narrow_rank=3), output.Column("Since", narrow_rank=1),
         output.Column("Last activity", narrow_rank=2), output.Column("Suggest"),
         output.Column("Why", prose=True)],
        ([i.row.contact_id, i.row.name, i.row.stage or "", i.row.stage_since, i.last_activity,
          i.suggested.value if i.suggested else "", i.reason] for i in page.rows),
        title=f"Lifecycle on {day}",
        empty="no customers",
        footer=_footer(len(page.rows), page.total),
    )  # fmt: skip


# The month's scores stay on a narrow terminal; the survey columns give way first.
SATISFACTION_COLUMNS = [
    output.Column("Month"), output.Column("CSAT n"), output.Column("CSAT avg"),
    output.Column("1/2/3/4/5", narrow_rank=7), output.Column("NPS n"), output.Column("NPS"),
    output.Column("Prom/Pass/Detr", narrow_rank=2),
    output.Column("Survey/typed", narrow_rank=3),
    output.Column("CSAT avg survey/typed", narrow_rank=1),
    output.Column("Surveys sent", narrow_rank=5), output.Column("Bounced", narrow_rank=4),
    output.Column("Answered of delivered", narrow_rank=6),
]  # fmt: skip


@app.command("satisfaction")
def satisfaction(
    ctx: typer.Context,
    months: int = typer.Option(12, "--months", min=1, max=120, help="How many months back."),
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Satisfaction per month: CSAT average and distribution, NPS; how many scores came back
    from e-mailed surveys and how many were typed in (CSAT average of each); the month's
    surveys e-mailed, bounced and answered, the response rate over those delivered (a bounced
    survey is not counted as unanswered; docs/mail.md)."""
    day = as_of_date(ctx, as_of)
    rows = analytics.satisfaction_by_month(state(ctx).store, day, months)
    if as_json:
        output.print_json(satisfaction_dict(day, rows))
        return
    output.print_table(
        SATISFACTION_COLUMNS,
        ([m.month, m.csat_count or "", f"{m.csat_average:.2f}" if m.csat_average else "",
          "/".join(str(m.csat_distribution[k]) for k in range(1, 6)) if m.csat_count else "",
          m.nps_count or "", m.nps if m.nps is not None else "",
          f"{m.promoters}/{m.passives}/{m.detractors}" if m.nps_count else "",
          f"{m.by_survey}/{m.typed}" if m.by_survey or m.typed else "",
          _pair(m.survey_csat_average, m.typed_csat_average),
          m.surveys_sent or "", m.surveys_bounced or "",
          f"{m.surveys_answered} ({m.response_rate:.0%})" if m.response_rate is not None
          else ""] for m in rows),
        title=f"Satisfaction by month up to {day}",
    )  # fmt: skip


def _pair(survey: float | None, typed: float | None) -> str:
    if survey is None and typed is None:
        return ""
    return "/".join(f"{v:.2f}" if v is not None else "–" for v in (survey, typed))


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Contact id, name or email."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=500, help="At most this many."),
    as_json: bool = JSON_OPTION,
) -> None:
    """What to offer next: products bought by customers with similar purchases."""
    found = analytics.suggest(state(ctx).store, ref, limit)
    if as_json:
        output.print_json(suggestions_dict(found))
        return
    output.print_table(
        ["Product", "Bought by similar customers"],
        ([s.product, f"{s.evidence} of {found.similar_customers}"] for s in found.items),
        title=f"Suggestions for {found.name}",
        empty=f"nothing to suggest for {found.name} yet",
    )


@app.command("referrals")
def referrals_(
    ctx: typer.Context,
    limit: int = LIMIT,
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Who brought whom: per referrer, the contacts they referred, how many became customers
    and what those customers bought (per currency). Most customers brought first."""
    app_state = state(ctx)
    day = as_of_date(ctx, as_of)
    page = referrals.referrals_report(
        app_state.store, day, app_state.settings.default_currency, limit or None
    )
    shown = page.rows
    if as_json:
        output.print_json(referrals_dict(day, page.total, shown))
        return
    output.print_table(
        ["Id", "Referrer", "Referred", "Customers", "Revenue", "Who"],
        ([r.contact_id, r.name, len(r.referred), r.customers,
          ", ".join(format_minor(minor, code) for code, minor in r.revenue.items()),
          ", ".join(p.name + ("" if p.is_customer else " (not yet)") for p in r.referred)]
         for r in shown),
        title=f"Referrals up to {day}",
        empty="nobody has referred anyone yet (crm contacts edit REF --referred-by REF)",
        footer=_footer(len(shown), page.total),
    )  # fmt: skip


@app.command("team")
def team_(
    ctx: typer.Context,
    days: int = typer.Option(
        30, "--days", min=1, max=3660, help="The period of the activity columns, up to --as-of."
    ),
    as_of: str = AS_OF_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Per person: interactions logged and follow-ups done on time / late in the period (from
    the history), and their customers now: open cases, at risk (as `report at-risk`),
    satisfaction (the average latest score per scale)."""
    day = as_of_date(ctx, as_of)
    report = team.team_report(state(ctx).store, day, days)
    if as_json:
        output.print_json(team_dict(report))
        return
    output.print_table(
        [output.Column("Person", max_width=20), output.Column("Interactions"),
         output.Column("Done on time"), output.Column("Done late"),
         output.Column("Open cases", narrow_rank=1), output.Column("At risk", narrow_rank=2),
         output.Column("Satisfaction", prose=True)],
        ([r.name + ("" if r.active else " (inactive)"), r.activity.interactions,
          r.activity.done_on_time, r.activity.done_late, r.open_cases, total_text(r.at_risk),
          team.satisfaction_text(r.satisfaction)] for r in report.rows),
        title=f"The team from {report.since} to {day}",
        empty="nobody to report on: add people with `crm users add`",
    )  # fmt: skip
