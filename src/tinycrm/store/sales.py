"""SQL for sales, their products, and money spent on customers (gifts, discounts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tinycrm.models.sales import Cost, Sale
from tinycrm.store.backend import Backend, Row
from tinycrm.store.schema import SEP
from tinycrm.store.stamps import now_iso


@dataclass(frozen=True)
class SaleRow:
    sale: Sale
    contact_name: str


# A sale's products in order, one text joined by SEP.
_PRODUCTS = {
    "sqlite": f"""SELECT group_concat(product, '{SEP}') FROM
        (SELECT product FROM sale_items WHERE sale_id = s.id ORDER BY position)""",
    "postgresql": f"""SELECT string_agg(product, '{SEP}' ORDER BY position) FROM sale_items
        WHERE sale_id = s.id""",
}


class SaleRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def insert(self, sale: Sale) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                # The sale belongs to the company its buyer is at when it is made.
                """INSERT INTO sales (contact_id, sold_on, amount_minor, currency, created_at,
                     company_id)
                   VALUES (?1, ?2, ?3, ?4, ?5, (SELECT company_id FROM contacts WHERE id = ?1))
                   RETURNING id""",
                (sale.contact_id, sale.sold_on.isoformat(), sale.amount_minor, sale.currency,
                 now_iso()),
            )  # fmt: skip
            sale_id = int(cursor.fetchone()[0])
            conn.executemany(
                "INSERT INTO sale_items (sale_id, position, product) VALUES (?, ?, ?)",
                [(sale_id, i, product) for i, product in enumerate(sale.products)],
            )
        return sale_id

    def count_for_contact(self, contact_id: int) -> int:
        row = self.db.conn.execute("SELECT count(*) FROM sales WHERE contact_id = ?", (contact_id,))
        return int(row.fetchone()[0])

    def query(
        self,
        contact_id: int | None = None,
        limit: int | None = None,
        *,
        company_id: int | None = None,
    ) -> list[SaleRow]:
        """Sales (of one contact, or that belong to one company), newest first, with their
        products."""
        sql = f"""SELECT s.*, c.name AS contact_name, ({_PRODUCTS[self.db.dialect]}) AS products
                  FROM sales s JOIN contacts c ON c.id = s.contact_id"""
        params: list[object] = []
        if contact_id is not None:
            sql += " WHERE s.contact_id = ?"
            params.append(contact_id)
        elif company_id is not None:
            sql += " WHERE s.company_id = ?"
            params.append(company_id)
        sql += " ORDER BY s.sold_on DESC, s.id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [
            SaleRow(_sale(row), row["contact_name"]) for row in self.db.conn.execute(sql, params)
        ]

    def insert_cost(self, cost: Cost) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO costs (contact_id, spent_on, kind, amount_minor, currency, note,
                     created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (cost.contact_id, cost.spent_on.isoformat(), cost.kind, cost.amount_minor,
                 cost.currency, cost.note, now_iso()),
            )  # fmt: skip
            new_id = int(cursor.fetchone()[0])
        return new_id


def _sale(row: Row) -> Sale:
    products = row["products"]
    return Sale(
        id=row["id"],
        contact_id=row["contact_id"],
        sold_on=date.fromisoformat(row["sold_on"]),
        amount_minor=row["amount_minor"],
        currency=row["currency"],
        products=tuple(products.split(SEP)) if products else (),
    )
