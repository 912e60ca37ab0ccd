"""Recording a sale and a satisfaction score for a customer.

Every check is the service's own (`tinycrm.money`, `services.sales`, `services.satisfaction`),
run field by field so each message appears under the field it is about.
"""

from __future__ import annotations

from tinycrm import money
from tinycrm.services import sales, satisfaction
from tinycrm.store import Store
from tinycrm.tui.context import crm
from tinycrm.tui.forms.base import Field, FieldErrors, FormScreen, Values, collect
from tinycrm.vocabulary import Scale

YES_NO = (("yes", "yes"), ("no", "no"))
SCALES = (("CSAT 1–5", Scale.CSAT.value), ("NPS 0–10", Scale.NPS.value))


def products(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class SaleForm(FormScreen[int]):
    """A sale for one contact (with the after-sale follow-ups). Dismisses with the sale's id."""

    def __init__(
        self, contact_id: int, contact_name: str, currency: str = money.DEFAULT_CURRENCY
    ) -> None:
        self.contact_id = contact_id
        fields = [
            Field("amount", "Amount", placeholder="49.90 (a dot for decimals)"),
            Field("currency", "Currency", currency, "EUR, USD, GBP, JPY…"),
            Field("products", "Products (comma-separated)", placeholder="gravel bike, lights"),
            Field("on", "Date", "today", "today, yesterday, 2026-11-20, -3d"),
            Field("follow_up", "After-sale follow-ups (thank-you, check)", "yes", options=YES_NO),
        ]
        super().__init__(
            f"Record a sale: {contact_name}", fields, self.save, check=self.check_values
        )

    def check_values(self, values: Values) -> None:
        errors: dict[str, str] = {}
        try:
            collect({"currency": lambda: money.currency(values["currency"])})
        except FieldErrors as exc:
            errors.update(exc.errors)
        else:
            if not values["amount"].strip():
                errors["amount"] = "an amount is needed, e.g. 49.90"
            else:
                try:
                    collect(
                        {"amount": lambda: money.parse_amount(values["amount"], values["currency"])}
                    )
                except FieldErrors as exc:
                    errors.update(exc.errors)
        try:
            collect(
                {
                    "products": lambda: [
                        sales.product_name(p) for p in products(values["products"])
                    ],
                    "on": lambda: crm(self).parse_date(values["on"] or "today", past=True),
                }
            )
        except FieldErrors as exc:
            errors.update(exc.errors)
        if errors:
            raise FieldErrors(errors)

    async def save(self, values: Values) -> int:
        app = crm(self)
        on = app.parse_date(values["on"] or "today", past=True)
        ref, today, settings = str(self.contact_id), app.today, app.settings

        def change(store: Store) -> sales.SaleResult:
            return sales.add_sale(
                store,
                ref,
                values["amount"],
                sold_on=on,
                today=today,
                currency=values["currency"],
                products=products(values["products"]),
                playbook=settings.after_sale_playbook,
                follow_up=values["follow_up"] != "no",
                open_days=settings.business_days,
                thank_referrer=settings.after_referral,
            )

        result = await app.write(change)
        if (thanks := result.referral_thanks) is not None:  # as `crm sales add` prints it
            app.notify(f"{thanks.title} on {thanks.due_on}", title="Follow-up added")
        return result.sale.id or 0


class ScoreForm(FormScreen[int]):
    """A satisfaction score (CSAT 1–5 or NPS 0–10); a low one creates a recovery follow-up.
    Dismisses with the score's id."""

    def __init__(self, contact_id: int, contact_name: str) -> None:
        self.contact_id = contact_id
        fields = [
            Field("score", "Score", placeholder="CSAT 1–5 (5 best) or NPS 0–10"),
            Field("scale", "Scale", Scale.CSAT.value, options=SCALES),
            Field("comment", "Comment (optional)", placeholder="What they said"),
            Field("source", "Source (optional)", placeholder="survey, call, email…"),
            Field("on", "Date", "today", "today, yesterday, 2026-11-20, -3d"),
        ]
        super().__init__(
            f"Record a satisfaction score: {contact_name}",
            fields,
            self.save,
            check=self.check_values,
        )

    def check_values(self, values: Values) -> None:
        def score() -> None:
            on_scale = satisfaction.scale(values["scale"] or Scale.CSAT.value)
            satisfaction.read_score(values["score"], on_scale)

        collect(
            {
                "scale": lambda: satisfaction.scale(values["scale"] or Scale.CSAT.value),
                "score": score,
                "on": lambda: crm(self).parse_date(values["on"] or "today", past=True),
            }
        )

    async def save(self, values: Values) -> int:
        app = crm(self)
        on = app.parse_date(values["on"] or "today", past=True)
        ref, today, open_days = str(self.contact_id), app.today, app.settings.business_days

        def change(store: Store) -> int:
            result = satisfaction.add_score(
                store,
                ref,
                values["score"],
                on=on,
                today=today,
                scale_name=values["scale"] or Scale.CSAT.value,
                comment=values["comment"],
                source=values["source"].strip() or None,
                open_days=open_days,
            )
            return result.score.id or 0

        return await app.write(change)
