"""What a signed-in customer does on the portal, over HTTP on both backends: change their
details, order again or ask for a service, complain, answer a survey, opt out of surveys,
download their data; and that none of it reaches another customer (issue 19)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from conftest import Invoke
from mailserver import Inbox, serving
from portalkit import Clock, csrf_token, portal_app, sent_links, sign_in, write_config

ANN = "ann@example.com"
BOB = "bob@example.com"


@pytest.fixture
def inbox(isolated_env: Path) -> Iterator[Inbox]:
    with serving() as running:
        write_config(isolated_env, running)
        yield running


@pytest.fixture
def shop(cli: Invoke, inbox: Inbox) -> Invoke:
    for args in (
        ("contacts", "add", "Ann Archer", "--email", ANN, "--phone", "+44 20 7946 0000"),
        ("contacts", "add", "Bob Baker", "--email", BOB),
        ("sales", "add", "Ann Archer", "49.90", "--product", "Blue teapot"),
        ("sales", "add", "Bob Baker", "12.00", "--product", "Bob's secret order"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
    return cli


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(shop: Invoke, clock: Clock) -> Flask:
    return portal_app(clock)


@pytest.fixture
def ann(app: Flask, inbox: Inbox) -> FlaskClient:
    return sign_in(app, inbox, ANN)


def post(client: FlaskClient, path: str, **fields: str) -> tuple[int, str]:
    """Submit a form from the signed-in page, with its CSRF token: (status, page text)."""
    token = csrf_token(client.get("/me").get_data(as_text=True))
    answer = client.post(path, data={**fields, "csrf_token": token}, follow_redirects=True)
    return answer.status_code, answer.get_data(as_text=True)


def follow_ups(cli: Invoke) -> list[dict[str, object]]:
    result = cli("follow-ups", "today", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    items: list[dict[str, object]] = [*data["overdue"], *data["today"]]
    return items


def titles(cli: Invoke) -> list[str]:
    return [str(item["title"]) for item in follow_ups(cli)]


def contact(cli: Invoke, ref: str) -> dict[str, object]:
    """The contact's details a customer may change, as `contacts show` has them."""
    shown = cli("contacts", "show", ref, "--json")
    assert shown.exit_code == 0, shown.stderr
    data: dict[str, object] = json.loads(shown.stdout)
    return {key: data[key] for key in ("emails", "phones", "address", "birthday")}


def test_ordering_again_makes_a_follow_up_due_today_and_shows_as_pending(
    shop: Invoke, ann: FlaskClient
) -> None:
    status, page = post(ann, "/me/requests", product="Blue teapot", text="Two this time")
    assert status == 200 and "your request has been sent" in page
    assert "Portal request: order again: Blue teapot; Two this time" in titles(shop)
    assert re.search(r"Pending</span>\s*\S+: order again: Blue teapot; Two this time", page)
    status, page = post(ann, "/me/requests", product="", text="Please repair my kettle")
    assert "Portal request: Please repair my kettle" in titles(shop)


def test_another_customers_product_or_an_empty_request_is_refused(
    shop: Invoke, ann: FlaskClient
) -> None:
    before = titles(shop)
    assert post(ann, "/me/requests", product="Bob's secret order", text="")[0] == 404
    status, page = post(ann, "/me/requests", product="", text="   ")
    assert status == 400 and "choose a product or describe what you need" in page
    status, page = post(ann, "/me/requests", product="", text="x" * 501)
    assert status == 400 and "at most 500 characters" in page
    assert titles(shop) == before
    assert "Bob&#39;s secret order" not in ann.get("/me").get_data(as_text=True)


def test_a_complaint_opens_a_case_with_the_shops_severity(
    shop: Invoke, inbox: Inbox, isolated_env: Path
) -> None:
    write_config(isolated_env, inbox, 'complaint_severity = "high"')
    client = sign_in(portal_app(), inbox, ANN)
    status, page = post(client, "/me/complaints", text="The <b>lid</b> & spout leak")
    assert status == 200 and "your complaint has been recorded" in page
    assert "The &lt;b&gt;lid&lt;/b&gt; &amp; spout leak" in page and "<b>lid" not in page
    listed = shop("cases", "list", "--json")
    [case] = json.loads(listed.stdout)
    assert case["title"] == "The <b>lid</b> & spout leak" and case["severity"] == "high"
    assert case["contact"] == "Ann Archer"
    assert shop("cases", "resolve", str(case["id"]), "--note", "Sent a new lid").exit_code == 0
    page = client.get("/me").get_data(as_text=True)
    assert "Sent a new lid" in page and "Resolved on" in page


def test_a_survey_is_answered_on_a_page_under_the_mail_channels_rules(
    shop: Invoke, app: Flask, inbox: Inbox
) -> None:
    for who in ("Ann Archer", "Bob Baker"):
        assert shop("surveys", "send", who).exit_code == 0, who
    ann = sign_in(app, inbox, ANN)
    page = ann.get("/me").get_data(as_text=True)
    [ann_survey] = re.findall(r'href="/me/surveys/(\d+)"', page)
    bob_survey = str(3 - int(ann_survey))  # the other of the two requests
    assert ann.get(f"/me/surveys/{bob_survey}").status_code == 404
    assert post(ann, f"/me/surveys/{bob_survey}", score="5")[0] == 404
    form = ann.get(f"/me/surveys/{ann_survey}").get_data(as_text=True)
    assert "How satisfied are you with Corner Shop?" in form
    status, page = post(ann, f"/me/surveys/{ann_survey}", score="9")
    assert status == 400 and "CSAT scores are whole numbers from 1 to 5, not '9'" in unescape(page)
    status, page = post(ann, f"/me/surveys/{ann_survey}", score="2", comment="Chipped again")
    assert status == 200 and "Thank you for your answer!" in page
    scores = scores_of(shop, "Ann Archer")
    assert [(s["score"], s["source"], s["comment"]) for s in scores] == [
        (2, "survey", "Chipped again")
    ]
    shown = json.loads(shop("contacts", "show", ANN, "--json").stdout)
    assert "recovery" in [item["kind"] for item in shown["follow_ups"]]  # a low score's call
    status, page = post(ann, f"/me/surveys/{ann_survey}", score="5")
    assert status == 409 and "already answered" in page
    assert len(scores_of(shop, "Ann Archer")) == 1


def scores_of(cli: Invoke, ref: str) -> list[dict[str, object]]:
    history = cli("satisfaction", "history", ref, "--json")
    assert history.exit_code == 0, history.stderr
    scores: list[dict[str, object]] = json.loads(history.stdout)["scores"]
    return scores


def test_opting_out_of_surveys_stops_them(shop: Invoke, ann: FlaskClient) -> None:
    _status, page = post(ann, "/me/surveys", surveys="no")
    assert "no more satisfaction surveys" in page
    sent = shop("surveys", "send", "Ann Archer")
    assert "skipped Ann Archer: asked for no surveys" in sent.stdout
    post(ann, "/me/surveys", surveys="yes")
    assert shop("surveys", "send", "Ann Archer").exit_code == 0


def test_opting_out_of_news_leaves_them_out_of_pass_on(shop: Invoke, ann: FlaskClient) -> None:
    for who in ("Ann Archer", "Bob Baker"):
        assert shop("contacts", "edit", who, "--add-tag", "club").exit_code == 0
    _status, page = post(ann, "/me/news", news="no")
    assert "no more news or offers" in page
    assert re.search(r'name="news" value="no" checked', page)
    shown = json.loads(shop("contacts", "show", ANN, "--json").stdout)
    assert shown["no_news_since"] is not None
    said = shop("pass-on", "Spring sale", "--tag", "club")
    assert "1 pass-on follow-ups" in said.stdout and "1 skipped (asked for no news)" in said.stdout
    assert [item["contact"] for item in follow_ups(shop)] == ["Bob Baker"]
    _status, page = post(ann, "/me/news", news="yes")
    assert "news and offers again" in page
    assert "skipped" not in shop("pass-on", "Summer sale", "--tag", "club").stdout


def test_their_data_is_the_same_as_the_cli_export(shop: Invoke, ann: FlaskClient) -> None:
    download = ann.get("/me/data.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="my-data.json"'
    exported = shop("contacts", "export", ANN, "--format", "json")
    theirs, cli_export = json.loads(download.data), json.loads(exported.stdout)
    for data in (theirs, cli_export):
        data.pop("exported_at")
    assert theirs == cli_export
    assert "Bob" not in download.get_data(as_text=True)


def test_changed_details_are_applied_with_a_follow_up_for_the_owner(
    shop: Invoke, ann: FlaskClient
) -> None:
    status, page = post(
        ann,
        "/me/details",
        emails=ANN,
        phones="+44 20 7946 0999",
        address="2 Kettle Road\nLeeds",
        birthday="1980-03-14",
    )
    assert status == 200 and "Your details have been updated" in page
    shown = contact(shop, ANN)
    assert shown["phones"] == ["+44 20 7946 0999"]
    assert shown["address"] == "2 Kettle Road\nLeeds" and shown["birthday"] == "1980-03-14"
    [note] = [t for t in titles(shop) if t.startswith("Details changed by the customer")]
    assert "phones" in note and "address" in note and "birthday" in note


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("phones", "call me maybe", "not a phone number: 'call me maybe'"),
        ("emails", "ann-at-example", "not an email address: 'ann-at-example'"),
        ("birthday", "31 feb", "31 feb"),
        ("emails", "", "keep at least one e-mail address"),
    ],
)
def test_bad_details_get_the_clis_message_and_change_nothing(
    shop: Invoke, ann: FlaskClient, field: str, typed: str, message: str
) -> None:
    before = contact(shop, ANN)
    fields = {"emails": ANN, "phones": "", "address": "", "birthday": "", field: typed}
    status, page = post(ann, "/me/details", **fields)
    assert status == 400 and message in unescape(page)
    assert contact(shop, ANN) == before
    assert not any(t.startswith("Details changed") for t in titles(shop))


def test_a_new_address_is_added_only_once_confirmed_from_it(
    shop: Invoke, app: Flask, inbox: Inbox, ann: FlaskClient
) -> None:
    _status, page = post(ann, "/me/details", emails=f"{ANN}\nann@work.example", phones="")
    assert "We have sent a link to ann@work.example" in page
    assert contact(shop, ANN)["emails"] == [ANN]
    message = inbox.messages[-1]
    sent_links(app, inbox)
    message = inbox.messages[-1]
    assert message["To"].addresses[0].addr_spec == "ann@work.example"
    body = message.get_body(("plain",))
    assert body is not None
    [link] = re.findall(r"https?://\S+/confirm-email/[A-Za-z0-9_-]+", body.get_content())
    path = urlsplit(link).path
    stranger = app.test_client()
    form = stranger.get(path)
    assert form.status_code == 200 and contact(shop, ANN)["emails"] == [ANN]
    token = csrf_token(form.get_data(as_text=True))
    assert stranger.post(path, data={"csrf_token": token}).status_code == 200
    assert contact(shop, ANN)["emails"] == [ANN, "ann@work.example"]
    assert stranger.post(path, data={"csrf_token": token}).status_code == 410  # once only


def test_under_review_nothing_changes_until_staff_apply_it(
    shop: Invoke, inbox: Inbox, isolated_env: Path
) -> None:
    write_config(isolated_env, inbox, "review_changes = true")
    client = sign_in(portal_app(), inbox, ANN)
    before = contact(shop, ANN)
    status, page = post(client, "/me/details", emails=ANN, phones="+44 20 7946 0999")
    assert status == 200 and "we will review your changes" in page
    assert contact(shop, ANN) == before
    [review] = [t for t in titles(shop) if t.startswith("Review details changed")]
    assert "+44 20 7946 0999" in review
    assert "+44 20 7946 0999" in client.get("/me").get_data(as_text=True)  # shown as pending


def test_every_form_needs_its_token_and_a_session(
    shop: Invoke, app: Flask, ann: FlaskClient
) -> None:
    before = (contact(shop, ANN), titles(shop))
    forms = {
        "/me/requests": {"text": "forged"},
        "/me/complaints": {"text": "forged"},
        "/me/surveys": {"surveys": "no"},
        "/me/news": {"news": "no"},
        "/me/details": {"emails": ANN, "phones": "+1 555 0100"},
        "/me/surveys/1": {"score": "1"},
    }
    for path, fields in forms.items():
        assert ann.post(path, data=fields).status_code == 400, path  # no CSRF token
        stranger = app.test_client()
        token = csrf_token(stranger.get("/").get_data(as_text=True))
        answer = stranger.post(path, data={**fields, "csrf_token": token})
        assert answer.status_code == 401, path  # a valid token, but nobody signed in
    for path in ("/me/details", "/me/data.json", "/me/surveys/1"):
        assert app.test_client().get(path).status_code == 401, path
    assert (contact(shop, ANN), titles(shop)) == before
    assert shop("cases", "list", "--json").stdout.strip() == "[]"
    shown = json.loads(shop("contacts", "show", ANN, "--json").stdout)
    assert shown["no_news_since"] is None and shown["no_surveys_since"] is None


def test_an_oversized_form_is_refused_before_it_is_read(shop: Invoke, ann: FlaskClient) -> None:
    before = (contact(shop, ANN), titles(shop))
    for path, field in (("/me/complaints", "text"), ("/me/details", "address")):
        status, page = post(ann, path, **{field: "x" * 100_000})
        assert status == 413 and "too large" in page, path
    assert (contact(shop, ANN), titles(shop)) == before
    assert shop("cases", "list", "--json").stdout.strip() == "[]"
    shown = json.loads(shop("contacts", "show", ANN, "--json").stdout)
    assert shown["no_news_since"] is None and shown["no_surveys_since"] is None
