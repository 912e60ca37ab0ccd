"""The customer portal as a Flask app: server-rendered pages over services/portal.py.

Every page that shows a customer's data reads the contact id from the signed-in session and
nothing else, so no URL or form field can point at another customer. Templates autoescape;
forms carry Flask-WTF's CSRF token; no inline script or style (the CSP forbids both).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import Flask, abort, g, redirect, render_template, request, send_file, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from tinycrm import money
from tinycrm.config import Settings
from tinycrm.errors import CrmError, NotFound, UsageError
from tinycrm.mail import plain
from tinycrm.mail.send import MailConfig, mail_config
from tinycrm.models.portal import LinkPurpose
from tinycrm.portal import mailer
from tinycrm.portal.texts import TEXTS
from tinycrm.services import portal, selfservice, surveys
from tinycrm.store import Store
from tinycrm.vocabulary import SCALE_RANGE

Clock = Callable[[], datetime]
MAX_FORM_BYTES = 64 * 1024
SESSION_KEY = "sid"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'"
)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Stores:
    """One open Store per server thread (a connection is not shared between threads)."""

    def __init__(self, location: Path | str) -> None:
        self.location = location
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()

    def get(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store.open(self.location)
            store.source = "portal"  # what a customer changes is recorded as the portal's
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()


def create_app(
    location: Path | str,
    settings: Settings,
    *,
    base_url: str,
    clock: Clock = utc_now,
) -> Flask:
    """The portal for the database at `location`; e-mailed links start with `base_url`
    (`[portal] base_url`, else the address it is served on)."""
    options = portal.portal_settings(settings.portal, settings.source)
    smtp: MailConfig = mail_config(settings.smtp, settings.source, needs_to=False)
    shop = plain.shop_name(options, settings, smtp.sender)
    link_root = options.base_url or base_url.rstrip("/")
    https = link_root.startswith("https://")
    words = TEXTS[options.language]
    stores = Stores(location)

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=portal.signing_key(stores.get(), clock()),
        MAX_CONTENT_LENGTH=MAX_FORM_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_FORM_BYTES,
        # __Host-: the browser keeps it to this host and path, sent over HTTPS only.
        SESSION_COOKIE_NAME="__Host-portal" if https else "portal",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=portal.SESSION_LIFETIME,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session cookie
    )
    app.jinja_env.autoescape = True
    app.extensions["tinycrm.stores"] = stores
    app.extensions["tinycrm.sent"] = []  # the mail threads, for tests to wait on
    if options.trusted_proxies:
        n = options.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    CSRFProtect(app)

    def page(template: str, status: int = 200, **values: Any) -> ResponseReturnValue:
        return render_template(template, **values), status

    def message(title: str, text: str, status: int, **values: Any) -> ResponseReturnValue:
        return page("message.html", status, title=words[title], text=words[text], **values)

    def signed_in_contact() -> int:
        contact_id = portal.signed_in(stores.get(), session.get(SESSION_KEY), clock())
        if contact_id is None:
            session.clear()
            abort(401)
        return contact_id

    @app.context_processor
    def common() -> dict[str, Any]:
        return {
            "t": words,
            "shop": shop,
            "language": options.language,
            "has_logo": options.logo is not None,
            "has_theme": bool(options.colours),
            "money": money.format_minor,
        }

    @app.before_request
    def note_time() -> None:
        g.now = clock()

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"  # a link's secret never leaves the site
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        if https:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError) -> ResponseReturnValue:
        return message("csrf_title", "csrf", 400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code == 401:
            return message("signed_out_title", "signed_out", 401, sign_in_again=True)
        if error.code == 413:
            return message("too_large_title", "too_large", 413)
        if error.code in (404, 405):
            return message("not_found_title", "not_found", error.code)
        return message("error_title", "error", error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        app.logger.exception("portal error")
        return message("error_title", "error", 500)

    @app.get("/")
    def home() -> ResponseReturnValue:
        if portal.signed_in(stores.get(), session.get(SESSION_KEY), g.now) is not None:
            return redirect(url_for("me"))
        return page("sign_in.html")

    @app.post("/sign-in")
    def ask_for_link() -> ResponseReturnValue:
        typed = request.form.get("email", "")
        try:
            link = portal.request_sign_in(stores.get(), typed, request.remote_addr or "", g.now)
        except UsageError:
            return page("sign_in.html", 400, problem=words["not_email"], typed=typed)
        except portal.RateLimited:
            return message("limited_title", "limited", 429)
        if link is not None:
            url = f"{link_root}{url_for('confirm', token=link.token)}"
            name = link.contact.name
            send(
                link.address,
                name,
                words["mail_subject"].format(shop=shop),
                words["mail_body"].format(name=name, shop=shop, link=url),
            )
        return page("sent.html", address=typed.strip())

    def send(address: str, name: str, subject: str, body: str) -> None:
        mail = plain.plain_message(smtp.sender, address, name, subject, body)
        sending: list[threading.Thread] = app.extensions["tinycrm.sent"]
        sending[:] = [thread for thread in sending if thread.is_alive()]
        sending.append(mailer.send_in_background(mail, smtp, address))

    @app.get("/sign-in/<token>")
    def confirm(token: str) -> ResponseReturnValue:
        # Mail scanners open every link: a GET only asks, the POST below signs in.
        try:
            portal.check_link(stores.get(), token, g.now, LinkPurpose.SIGN_IN)
        except portal.LinkRefused as refused:
            return link_refused(refused)
        return page("confirm.html", token=token)

    @app.post("/sign-in/<token>")
    def use_link(token: str) -> ResponseReturnValue:
        try:
            secret = portal.sign_in(stores.get(), token, g.now)
        except portal.LinkRefused as refused:
            return link_refused(refused)
        session.clear()
        session.permanent = True
        session[SESSION_KEY] = secret
        return redirect(url_for("me"), 303)

    def link_refused(refused: portal.LinkRefused) -> ResponseReturnValue:
        return message("refused_title", f"refused_{refused.reason}", 410, sign_in_again=True)

    @app.get("/me")
    def me() -> ResponseReturnValue:
        contact_id = signed_in_contact()
        view = selfservice.customer_page(stores.get(), contact_id, today())
        done = request.args.get("done", "")
        return page("me.html", view=view, done=words.get(f"done_{done}") if done else None)

    def today() -> date:
        moment: datetime = g.now
        return moment.astimezone().date()

    def back_to_me(done: str) -> ResponseReturnValue:
        return redirect(url_for("me", done=done), 303)

    def refused(error: CrmError) -> ResponseReturnValue:
        """A customer's bad input: the CLI's message, on a page that says nothing changed."""
        if isinstance(error, NotFound):
            abort(404)
        return page("message.html", 400, title=words["refused_input"], text=str(error), back=True)

    @app.post("/me/requests")
    def ask() -> ResponseReturnValue:
        contact_id = signed_in_contact()
        form = request.form
        try:
            selfservice.request(
                stores.get(), contact_id, form.get("product", ""), form.get("text", ""), today()
            )
        except CrmError as error:
            return refused(error)
        return back_to_me("request")

    @app.post("/me/complaints")
    def complain() -> ResponseReturnValue:
        contact_id = signed_in_contact()
        try:
            selfservice.complain(
                stores.get(),
                contact_id,
                request.form.get("text", ""),
                today(),
                options.complaint_severity,
            )
        except CrmError as error:
            return refused(error)
        return back_to_me("complaint")

    @app.post("/me/surveys")
    def survey_choice() -> ResponseReturnValue:
        contact_id = signed_in_contact()
        wanted = request.form.get("surveys") == "yes"
        selfservice.set_surveys(stores.get(), contact_id, wanted, today())
        return back_to_me("surveys_on" if wanted else "surveys_off")

    @app.post("/me/news")
    def news_choice() -> ResponseReturnValue:
        contact_id = signed_in_contact()
        wanted = request.form.get("news") == "yes"
        selfservice.set_news(stores.get(), contact_id, wanted, today())
        return back_to_me("news_on" if wanted else "news_off")

    @app.get("/me/surveys/<int:request_id>")
    def survey(request_id: int) -> ResponseReturnValue:
        contact_id = signed_in_contact()
        try:
            asked = surveys.open_request(stores.get(), contact_id, request_id, today())
        except CrmError as error:
            return survey_closed(error)
        low, high = SCALE_RANGE[asked.scale]
        return page("survey.html", survey=asked, scores=list(range(low, high + 1)))

    @app.post("/me/surveys/<int:request_id>")
    def answer_survey(request_id: int) -> ResponseReturnValue:
        contact_id = signed_in_contact()
        form = request.form
        try:
            surveys.answer(
                stores.get(),
                contact_id,
                request_id,
                form.get("score", ""),
                form.get("comment", ""),
                today(),
                settings.business_days,
            )
        except CrmError as error:
            return survey_closed(error)
        return back_to_me("survey")

    def survey_closed(error: CrmError) -> ResponseReturnValue:
        if isinstance(error, surveys.SurveyClosed):
            return page("message.html", 409, title=words["survey_closed"], text=str(error))
        return refused(error)

    @app.get("/me/data.json")
    def data() -> ResponseReturnValue:
        contact_id = signed_in_contact()
        body = json.dumps(selfservice.their_data(stores.get(), contact_id), indent=2)
        response = Response(body + "\n", mimetype="application/json")
        response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response

    @app.get("/me/details")
    def details() -> ResponseReturnValue:
        contact_id = signed_in_contact()
        view = selfservice.customer_page(stores.get(), contact_id, today())
        contact = view.contact
        form = selfservice.DetailsForm(
            emails="\n".join(contact.emails),
            phones="\n".join(contact.phones),
            address=contact.address or "",
            birthday=contact.birthday.iso() if contact.birthday else "",
        )
        return page("details.html", form=form)

    @app.post("/me/details")
    def change_details() -> ResponseReturnValue:
        contact_id = signed_in_contact()
        typed = selfservice.DetailsForm(
            emails=request.form.get("emails", ""),
            phones=request.form.get("phones", ""),
            address=request.form.get("address", ""),
            birthday=request.form.get("birthday", ""),
        )
        try:
            changed = selfservice.change_details(
                stores.get(),
                contact_id,
                typed,
                g.now,
                review=options.review_changes,
                day_first=settings.day_first,
            )
        except CrmError as error:
            if isinstance(error, NotFound):
                abort(404)
            return page("details.html", 400, form=typed, problem=str(error))
        name = selfservice.customer_page(stores.get(), contact_id, today()).contact.name
        for confirmation in changed.confirmations:
            url = f"{link_root}{url_for('confirm_email', token=confirmation.token)}"
            send(
                confirmation.address,
                name,
                words["confirm_subject"].format(shop=shop),
                words["confirm_body"].format(name=name, shop=shop, link=url),
            )
        return page("changed.html", changed=changed)

    @app.get("/confirm-email/<token>")
    def confirm_email(token: str) -> ResponseReturnValue:
        try:
            portal.check_link(stores.get(), token, g.now, LinkPurpose.CONFIRM_EMAIL)
        except portal.LinkRefused as refused_link:
            return link_refused(refused_link)
        return page("confirm_email.html", token=token)

    @app.post("/confirm-email/<token>")
    def use_confirmation(token: str) -> ResponseReturnValue:
        try:
            address = selfservice.confirm_email(
                stores.get(), token, g.now, review=options.review_changes
            )
        except portal.LinkRefused as refused_link:
            return link_refused(refused_link)
        text = words["email_held" if options.review_changes else "email_added"]
        return page(
            "message.html", title=words["email_confirmed"], text=text.format(address=address)
        )

    @app.post("/sign-out")
    def sign_out() -> ResponseReturnValue:
        secret = session.get(SESSION_KEY)
        if secret:
            portal.sign_out(stores.get(), secret, g.now)
        session.clear()
        return redirect(url_for("home"), 303)

    @app.get("/theme.css")
    def theme() -> ResponseReturnValue:
        lines = [f"  --{name}: {value};" for name, value in sorted(options.colours.items())]
        css = ":root {\n" + "\n".join(lines) + "\n}\n"
        return Response(css, mimetype="text/css")

    @app.get("/logo")
    def logo() -> ResponseReturnValue:
        if options.logo is None or not options.logo.is_file():
            abort(404)
        return send_file(options.logo.resolve(), max_age=3600)

    @app.get("/favicon.ico")
    def favicon() -> ResponseReturnValue:
        return logo() if options.logo is not None else Response(status=204)

    return app


def mail_threads(app: Flask) -> list[threading.Thread]:
    """The threads sending the e-mails this app was asked for (tests wait on them)."""
    threads: list[threading.Thread] = app.extensions["tinycrm.sent"]
    return threads
