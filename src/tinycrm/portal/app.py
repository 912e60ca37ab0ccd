"""The customer portal as a Flask app: server-rendered pages over services/portal.py.

Every page that shows a customer's data reads the contact id from the signed-in session and
nothing else, so no URL or form field can point at another customer. Templates autoescape;
forms carry Flask-WTF's CSRF token; no inline script or style (the CSP forbids both).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
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
    app = Flask(__name__)
    site = Site(
        app=app,
        settings=settings,
        options=options,
        smtp=smtp,
        shop=plain.shop_name(options, settings, smtp.sender),
        link_root=options.base_url or base_url.rstrip("/"),
        words=TEXTS[options.language],
        stores=Stores(location),
        clock=clock,
    )
    _configure(site)
    _add_security_headers(app, https=site.https)
    _add_error_pages(site)
    _add_sign_in_pages(site)
    _add_customer_pages(site)
    _add_survey_pages(site)
    _add_details_pages(site)
    _add_assets(app, options)
    return app


@dataclass(frozen=True)
class Site:
    """One portal app's settings, words and database: what all its pages share."""

    app: Flask
    settings: Settings
    options: portal.PortalSettings
    smtp: MailConfig
    shop: str
    link_root: str  # e-mailed links start with it
    words: dict[str, str]  # the portal's texts in its language
    stores: Stores
    clock: Clock

    @property
    def https(self) -> bool:
        return self.link_root.startswith("https://")

    def page(self, template: str, status: int = 200, **values: Any) -> ResponseReturnValue:
        return render_template(template, **values), status

    def message(self, title: str, text: str, status: int, **values: Any) -> ResponseReturnValue:
        words = self.words
        return self.page("message.html", status, title=words[title], text=words[text], **values)

    def signed_in_contact(self) -> int:
        contact_id = portal.signed_in(self.stores.get(), session.get(SESSION_KEY), self.clock())
        if contact_id is None:
            session.clear()
            abort(401)
        return contact_id

    def today(self) -> date:
        moment: datetime = g.now
        return moment.astimezone().date()

    def link(self, endpoint: str, token: str) -> str:
        """The address of a one-time link, for an e-mail."""
        return f"{self.link_root}{url_for(endpoint, token=token)}"

    def send(self, address: str, name: str, subject: str, body: str) -> None:
        mail = plain.plain_message(self.smtp.sender, address, name, subject, body)
        sending: list[threading.Thread] = self.app.extensions["tinycrm.sent"]
        sending[:] = [thread for thread in sending if thread.is_alive()]
        sending.append(mailer.send_in_background(mail, self.smtp, address))

    def back_to_me(self, done: str) -> ResponseReturnValue:
        return redirect(url_for("me", done=done), 303)

    def refused(self, error: CrmError) -> ResponseReturnValue:
        """A customer's bad input: the CLI's message, on a page that says nothing changed."""
        if isinstance(error, NotFound):
            abort(404)
        title = self.words["refused_input"]
        return self.page("message.html", 400, title=title, text=str(error), back=True)

    def link_refused(self, refused: portal.LinkRefused) -> ResponseReturnValue:
        return self.message("refused_title", f"refused_{refused.reason}", 410, sign_in_again=True)


def _configure(site: Site) -> None:
    """Cookies, form limits and CSRF: the settings Flask and Flask-WTF read."""
    app, options, https = site.app, site.options, site.https
    app.config.update(
        SECRET_KEY=portal.signing_key(site.stores.get(), site.clock()),
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
    app.extensions["tinycrm.stores"] = site.stores
    app.extensions["tinycrm.sent"] = []  # the mail threads, for tests to wait on
    if options.trusted_proxies:
        n = options.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    CSRFProtect(app)

    @app.context_processor
    def common() -> dict[str, Any]:
        return {
            "t": site.words,
            "shop": site.shop,
            "language": options.language,
            "has_logo": options.logo is not None,
            "has_theme": bool(options.colours),
            "money": money.format_minor,
        }

    @app.before_request
    def note_time() -> None:
        g.now = site.clock()


def _add_security_headers(app: Flask, *, https: bool) -> None:
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


def _add_error_pages(site: Site) -> None:
    app, message = site.app, site.message

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


def _add_sign_in_pages(site: Site) -> None:
    """Signing in by a link sent to a known address, and signing out."""
    app, stores, words, page = site.app, site.stores, site.words, site.page

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
            return site.message("limited_title", "limited", 429)
        if link is not None:
            url = site.link("confirm", link.token)
            name = link.contact.name
            site.send(
                link.address,
                name,
                words["mail_subject"].format(shop=site.shop),
                words["mail_body"].format(name=name, shop=site.shop, link=url),
            )
        return page("sent.html", address=typed.strip())

    @app.get("/sign-in/<token>")
    def confirm(token: str) -> ResponseReturnValue:
        # Mail scanners open every link: a GET only asks, the POST below signs in.
        try:
            portal.check_link(stores.get(), token, g.now, LinkPurpose.SIGN_IN)
        except portal.LinkRefused as refused:
            return site.link_refused(refused)
        return page("confirm.html", token=token)

    @app.post("/sign-in/<token>")
    def use_link(token: str) -> ResponseReturnValue:
        try:
            secret = portal.sign_in(stores.get(), token, g.now)
        except portal.LinkRefused as refused:
            return site.link_refused(refused)
        session.clear()
        session.permanent = True
        session[SESSION_KEY] = secret
        return redirect(url_for("me"), 303)

    @app.post("/sign-out")
    def sign_out() -> ResponseReturnValue:
        secret = session.get(SESSION_KEY)
        if secret:
            portal.sign_out(stores.get(), secret, g.now)
        session.clear()
        return redirect(url_for("home"), 303)


def _add_customer_pages(site: Site) -> None:
    """The signed-in customer's page, what they can send from it, and their data."""
    app, stores, options = site.app, site.stores, site.options

    @app.get("/me")
    def me() -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
        view = selfservice.customer_page(stores.get(), contact_id, site.today())
        done = request.args.get("done", "")
        done_text = site.words.get(f"done_{done}") if done else None
        return site.page("me.html", view=view, done=done_text)

    @app.post("/me/requests")
    def ask() -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
        form = request.form
        try:
            selfservice.request(
                stores.get(), contact_id, form.get("product", ""), form.get("text", ""),
                site.today(),
            )  # fmt: skip
        except CrmError as error:
            return site.refused(error)
        return site.back_to_me("request")

    @app.post("/me/complaints")
    def complain() -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
        try:
            selfservice.complain(
                stores.get(),
                contact_id,
                request.form.get("text", ""),
                site.today(),
                options.complaint_severity,
            )
        except CrmError as error:
            return site.refused(error)
        return site.back_to_me("complaint")

    @app.post("/me/surveys")
    def survey_choice() -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
        wanted = request.form.get("surveys") == "yes"
        selfservice.set_surveys(stores.get(), contact_id, wanted, site.today())
        return site.back_to_me("surveys_on" if wanted else "surveys_off")

    @app.post("/me/news")
    def news_choice() -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
        wanted = request.form.get("news") == "yes"
        selfservice.set_news(stores.get(), contact_id, wanted, site.today())
        return site.back_to_me("news_on" if wanted else "news_off")

    @app.get("/me/data.json")
    def data() -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
        body = json.dumps(selfservice.their_data(stores.get(), contact_id), indent=2)
        response = Response(body + "\n", mimetype="application/json")
        response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response


def _add_survey_pages(site: Site) -> None:
    """A survey answered on the portal instead of by e-mail."""
    app, stores = site.app, site.stores

    def survey_closed(error: CrmError) -> ResponseReturnValue:
        if isinstance(error, surveys.SurveyClosed):
            title = site.words["survey_closed"]
            return site.page("message.html", 409, title=title, text=str(error))
        return site.refused(error)

    @app.get("/me/surveys/<int:request_id>")
    def survey(request_id: int) -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
        try:
            asked = surveys.open_request(stores.get(), contact_id, request_id, site.today())
        except CrmError as error:
            return survey_closed(error)
        low, high = SCALE_RANGE[asked.scale]
        return site.page("survey.html", survey=asked, scores=list(range(low, high + 1)))

    @app.post("/me/surveys/<int:request_id>")
    def answer_survey(request_id: int) -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
        form = request.form
        try:
            surveys.answer(
                stores.get(),
                contact_id,
                request_id,
                form.get("score", ""),
                form.get("comment", ""),
                site.today(),
                site.settings.business_days,
            )
        except CrmError as error:
            return survey_closed(error)
        return site.back_to_me("survey")


def _add_details_pages(site: Site) -> None:
    """The customer's own e-mails, phones, address and birthday, and a new address's
    confirmation link."""
    app, stores, words, options = site.app, site.stores, site.words, site.options

    @app.get("/me/details")
    def details() -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
        view = selfservice.customer_page(stores.get(), contact_id, site.today())
        contact = view.contact
        form = selfservice.DetailsForm(
            emails="\n".join(contact.emails),
            phones="\n".join(contact.phones),
            address=contact.address or "",
            birthday=contact.birthday.iso() if contact.birthday else "",
        )
        return site.page("details.html", form=form)

    @app.post("/me/details")
    def change_details() -> ResponseReturnValue:
        contact_id = site.signed_in_contact()
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
                day_first=site.settings.day_first,
            )
        except CrmError as error:
            if isinstance(error, NotFound):
                abort(404)
            return site.page("details.html", 400, form=typed, problem=str(error))
        name = selfservice.customer_page(stores.get(), contact_id, site.today()).contact.name
        for confirmation in changed.confirmations:
            url = site.link("confirm_email", confirmation.token)
            site.send(
                confirmation.address,
                name,
                words["confirm_subject"].format(shop=site.shop),
                words["confirm_body"].format(name=name, shop=site.shop, link=url),
            )
        return site.page("changed.html", changed=changed)

    @app.get("/confirm-email/<token>")
    def confirm_email(token: str) -> ResponseReturnValue:
        try:
            portal.check_link(stores.get(), token, g.now, LinkPurpose.CONFIRM_EMAIL)
        except portal.LinkRefused as refused_link:
            return site.link_refused(refused_link)
        return site.page("confirm_email.html", token=token)

    @app.post("/confirm-email/<token>")
    def use_confirmation(token: str) -> ResponseReturnValue:
        try:
            address = selfservice.confirm_email(
                stores.get(), token, g.now, review=options.review_changes
            )
        except portal.LinkRefused as refused_link:
            return site.link_refused(refused_link)
        text = words["email_held" if options.review_changes else "email_added"]
        return site.page(
            "message.html", title=words["email_confirmed"], text=text.format(address=address)
        )


def _add_assets(app: Flask, options: portal.PortalSettings) -> None:
    """The shop's colours and logo (`[portal] colours`, `logo`)."""

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


def mail_threads(app: Flask) -> list[threading.Thread]:
    """The threads sending the e-mails this app was asked for (tests wait on them)."""
    threads: list[threading.Thread] = app.extensions["tinycrm.sent"]
    return threads
