"""Sales, satisfaction scores and cases on the customer card; the sale and score forms."""

from __future__ import annotations

from datetime import date, timedelta

from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from tinycrm.models.satisfaction import Score
from tinycrm.services.cases import open_case
from tinycrm.services.contacts import get_contact
from tinycrm.services.inbox import Context, handle
from tinycrm.services.sales import add_sale, list_sales
from tinycrm.services.satisfaction import add_score, history
from tinycrm.services.surveys import SurveySettings, Target, new_code, record_sent
from tinycrm.store import Store
from tinycrm.tui.app import CrmApp
from tinycrm.tui.forms.sale import SaleForm, ScoreForm
from tinycrm.tui.screens.customer import CustomerScreen
from tinycrm.tui.widgets.satisfaction_chart import satisfaction_chart
from tinycrm.vocabulary import Scale

from .conftest import TODAY


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_card(pilot: Pilot[None], contact_id: int) -> CustomerScreen:
    pilot.app.open_customer(contact_id)  # type: ignore[attr-defined]
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CustomerScreen)
    return screen


def shown(screen: CustomerScreen, part: str) -> str:
    return str(screen.query_one(f"#customer-{part}", Static).render())


async def test_sale_form_bad_amount_shows_error_and_saves_nothing(
    app: CrmApp, store: Store, data: dict[str, int]
) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        card = await open_card(pilot, data["Ana Souza"])
        assert "no sales yet" in shown(card, "sales")
        await pilot.press("dollar_sign")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SaleForm)
        assert form.query_one("#field-currency", Input).value == "EUR"
        form.query_one("#field-amount", Input).value = "12,50"
        form.query_one("#field-products", Input).value = "Gravel bike, lights"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open, with what was typed
        assert "12,50" in str(form.query_one("#error-amount", Static).render())
        assert list_sales(store, "Ana Souza") == []

        form.query_one("#field-amount", Input).value = "1299.90"
        form.query_one("#field-currency", Input).value = "xyz"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "unknown currency" in str(form.query_one("#error-currency", Static).render())
        assert list_sales(store, "Ana Souza") == []

        form.query_one("#field-currency", Input).value = "eur"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert card.is_current
        assert "1,299.90 EUR" in shown(card, "sales")
        assert "Gravel bike, lights" in shown(card, "sales")
    (row,) = list_sales(store, "Ana Souza")
    assert (row.sale.amount_minor, row.sale.currency) == (129990, "EUR")
    assert row.sale.products == ("Gravel bike", "lights")


async def test_score_form_validates_on_the_chosen_scale(
    app: CrmApp, store: Store, data: dict[str, int]
) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        card = await open_card(pilot, data["Ben Okafor"])
        assert "no scores yet" in shown(card, "satisfaction")
        await pilot.press("asterisk")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ScoreForm)
        form.query_one("#field-score", Input).value = "9"  # not CSAT (1–5)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "1 to 5" in str(form.query_one("#error-score", Static).render())
        assert history(store, "Ben Okafor", TODAY).scores == []

        form.query_one("#field-scale", Select).value = "nps"  # 9 is a fine NPS
        form.query_one("#field-comment", Input).value = "Loves the [red]new[/] bike"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert card.is_current
        chart = shown(card, "satisfaction")
        assert "NPS 0–10" in chart and "latest 9" in chart
    (score,) = history(store, "Ben Okafor", TODAY).scores
    assert (score.scale, score.score, score.comment) == (Scale.NPS, 9, "Loves the [red]new[/] bike")


async def test_card_shows_open_cases_and_sales(
    app: CrmApp, store: Store, data: dict[str, int]
) -> None:
    open_case(store, "Chloé Martin", "Invoice [/] sent twice", severity="high", today=TODAY)
    add_sale(store, "Chloé Martin", "250", sold_on=TODAY - timedelta(5), today=TODAY,
             currency="JPY", products=["Fleet service"])  # fmt: skip
    add_score(store, "Chloé Martin", "2", on=TODAY - timedelta(40), today=TODAY)
    add_score(store, "Chloé Martin", "4", on=TODAY - timedelta(3), today=TODAY)
    async with app.run_test(size=(100, 50)) as pilot:
        card = await open_card(pilot, data["Chloé Martin"])
        assert "Invoice [/] sent twice" in shown(card, "cases")
        assert "high" in shown(card, "cases")
        assert "250 JPY" in shown(card, "sales")
        chart = shown(card, "satisfaction")
        assert "CSAT 1–5, 2 scores" in chart
        assert "▼" in chart  # the low score, marked without colour too
        # the same card screen, pointed at another customer
        await pilot.press("escape")
        await settle(pilot)
        again = await open_card(pilot, data["Ana Souza"])
        assert again is card
        assert "no open cases" in shown(card, "cases")
        assert "Ana Souza" in shown(card, "name")


def test_chart_marks_the_scale_and_orders_by_date() -> None:
    day = date(2026, 1, 1)
    scores = [Score(1, day + timedelta(30 * i), Scale.CSAT, v) for i, v in enumerate([3, 5, 1])]
    lines = satisfaction_chart(scores, TODAY).plain.splitlines()
    axis = [line[:5] for line in lines[1:6]]
    assert axis == ["  5 ┤", "  4 ┤", "  3 ┤", "  2 ┤", "  1 ┤"]
    assert lines[1].index("●") > lines[3].index("●")  # the 5 came after the 3
    assert "▼" in lines[5]  # 1 is low
    assert "2026-01-01" in lines[7] and "2026-03-02" in lines[7]
    nps = [Score(1, day, Scale.NPS, 10), Score(1, day + timedelta(1), Scale.NPS, 0)]
    nps_lines = satisfaction_chart(nps, TODAY).plain.splitlines()
    assert [line[:5] for line in nps_lines[1:7]] == [
        " 10 ┤", "  8 ┤", "  6 ┤", "  4 ┤", "  2 ┤", "  0 ┤"
    ]  # fmt: skip


async def test_card_shows_e_mailed_surveys_their_answers_and_held_mail(
    app: CrmApp, store: Store, data: dict[str, int]
) -> None:
    settings = SurveySettings()
    ben = get_contact(store, data["Ben Okafor"])
    ben.emails = ["ben@example.com"]
    store.contacts.update(ben)
    target = Target(ben, "ben@example.com", None)
    codes = [new_code(), new_code(), new_code()]
    for number, code in enumerate(codes):
        record_sent(store, target, code=code, message_id=f"<{number}@t>", on_scale=Scale.CSAT,
                    today=TODAY - timedelta(10), settings=settings)  # fmt: skip
    context = Context(TODAY, frozenset({"shop@example.com"}), log_interactions=True)
    for sender, number, score in (("ben@example.com", 0, 4), ("x@evil.test", 1, 1)):
        answer = (
            f"From: {sender}\r\nTo: shop@example.com\r\nMessage-ID: <a{number}@t>\r\n"
            f"Subject: Answer: {score} [survey {codes[number]}]\r\n\r\n{score}\r\n"
        )
        handle(store, answer.encode(), context)
    bounce = (
        "From: MAILER-DAEMON@mx.example\r\nTo: shop@example.com\r\nMessage-ID: <d@mx>\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; ben@example.com\r\nAction: failed\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <2@t>\r\n\r\n--B--\r\n"
    )
    handle(store, bounce.encode(), context)
    async with app.run_test(size=(120, 60)) as pilot:
        card = await open_card(pilot, data["Ben Okafor"])
        lines = shown(card, "satisfaction").splitlines()
    assert "CSAT survey e-mailed to ben@example.com: answered 4 on" in "\n".join(lines)
    assert any("no answer yet" in line for line in lines)
    assert any(line.endswith(f"bounced on {TODAY}, call instead") for line in lines)
    [held] = [line for line in lines if line.startswith("held for review")]
    assert "x@evil.test (1)" in held and "not the contact's" in held
