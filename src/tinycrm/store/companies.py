"""SQL for companies, the people who left them, and the schema upgrade's merged spellings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tinycrm.company_names import company_key
from tinycrm.models.companies import Company, Departure, MergedSpelling
from tinycrm.store.backend import Backend, Connection, Row
from tinycrm.store.schema_data import UPGRADE_SOURCE
from tinycrm.store.stamps import now_iso
from tinycrm.store.versions import update_versioned

# The owner most of a company's active people have (ties: alphabetical), for `c`.
_PEOPLES_OWNER = """(SELECT u.name FROM contacts p JOIN users u ON u.id = p.owner_id
    WHERE p.company_id = c.id AND p.archived = 0
    GROUP BY u.id, u.name ORDER BY count(*) DESC, u.name LIMIT 1)"""
# A company's columns and its key account manager's name.
_COMPANY = "c.*, (SELECT name FROM users WHERE id = c.owner_id) AS owner"


@dataclass(frozen=True)
class CompanyRow:
    """A company as lists show it: its people counted, its owner resolved."""

    company: Company
    people: int
    owner: str | None  # the key account manager, else the owner of most of its people


@dataclass(frozen=True)
class CompanyFilter:
    archived: bool | None = False  # None: both
    ids: tuple[int, ...] | None = None


class CompanyRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
        return self.db.conn

    def get(self, company_id: int) -> Company | None:
        row = self.conn.execute(
            f"SELECT {_COMPANY} FROM companies c WHERE id = ?", (company_id,)
        ).fetchone()
        return _company(row) if row else None

    def find(self, name: str) -> Company | None:
        """The company whose name equals `name` but for case and whitespace."""
        row = self.conn.execute(
            f"SELECT {_COMPANY} FROM companies c WHERE name_key = ?", (company_key(name),)
        ).fetchone()
        return _company(row) if row else None

    def find_containing(
        self, text: str, limit: int = 11, *, archived: bool | None = False
    ) -> list[Company]:
        """Companies (active ones unless `archived` says otherwise; None: both) whose name
        contains `text` (case-insensitive), by name."""
        rows = self.conn.execute(
            f"""SELECT {_COMPANY} FROM companies c
               WHERE (CAST(?3 AS INTEGER) IS NULL OR archived = ?3)
                 AND instr(lower(name), lower(?1)) > 0
               ORDER BY name COLLATE NOCASE, id LIMIT ?2""",
            (text.strip(), limit, None if archived is None else int(archived)),
        )
        return [_company(row) for row in rows]

    def rows(self, where: CompanyFilter) -> list[CompanyRow]:
        clauses, params = ["1 = 1"], list[object]()
        if where.archived is not None:
            clauses.append("c.archived = ?")
            params.append(int(where.archived))
        if where.ids is not None:
            clauses.append(f"c.id IN ({','.join('?' * len(where.ids)) or 'NULL'})")
            params.extend(where.ids)
        rows = self.conn.execute(
            f"""SELECT {_COMPANY},
                  coalesce((SELECT name FROM users WHERE id = c.owner_id), {_PEOPLES_OWNER})
                    AS owner_in_force,
                  (SELECT count(*) FROM contacts WHERE company_id = c.id AND archived = 0)
                    AS people
                FROM companies c WHERE {" AND ".join(clauses)}
                ORDER BY c.name COLLATE NOCASE, c.id""",
            params,
        )
        return [CompanyRow(_company(r), r["people"], r["owner_in_force"]) for r in rows]

    def insert(self, company: Company) -> int:
        with self.db.write() as conn:
            stamp = now_iso()
            cursor = conn.execute(
                """INSERT INTO companies (name, name_key, owner_id, cadence_days, archived,
                      created_at, updated_at)
                    VALUES (?1, ?6, ?2, ?3, ?4, ?5, ?5) RETURNING id""",
                (company.name.strip(), company.owner_id, company.cadence_days,
                 int(company.archived), stamp, company_key(company.name)),
            )  # fmt: skip
            new_id = int(cursor.fetchone()[0])
        return new_id

    def ensure(self, name: str) -> tuple[int, bool]:
        """The id of the company named `name` (but for case and whitespace), created if there
        is none; True when it was created."""
        with self.db.write():
            found = self.find(name)
            if found is not None:
                return found.id or 0, False
            return self.insert(Company(name=name)), True

    def update(self, company: Company) -> None:
        """Write the company's fields, if it is still at `company.version` (else Stale)."""
        assert company.id is not None
        with self.db.write() as conn:
            update_versioned(
                conn, "companies", "company", company.id, company.version,
                """name = ?1, name_key = ?6, owner_id = ?2, cadence_days = ?3, archived = ?4,
                   updated_at = ?5""",
                (company.name.strip(), company.owner_id, company.cadence_days,
                 int(company.archived), now_iso(), company_key(company.name)),
            )  # fmt: skip

    def people_ids(self, company_id: int) -> list[int]:
        rows = self.conn.execute(
            "SELECT id FROM contacts WHERE company_id = ? ORDER BY name COLLATE NOCASE, id",
            (company_id,),
        )
        return [row[0] for row in rows]

    def record_departure(
        self, contact_id: int, company_id: int, role: str | None, on: date
    ) -> None:
        """The contact leaves the company: the link goes, a departure row keeps the history."""
        with self.db.write() as conn:
            conn.execute(
                """INSERT INTO company_departures (contact_id, company_id, role, left_on)
                   VALUES (?, ?, ?, ?)""",
                (contact_id, company_id, role, on.isoformat()),
            )
            conn.execute(
                """UPDATE contacts SET company_id = NULL, role = NULL, updated_at = ?,
                     version = version + 1 WHERE id = ?""",
                (now_iso(), contact_id),
            )

    def sales_count(self, company_id: int, contact_id: int | None = None) -> int:
        """The company's sales (those bought by one of its people or former people)."""
        sql = "SELECT count(*) FROM sales WHERE company_id = ?"
        params: list[object] = [company_id]
        if contact_id is not None:
            sql += " AND contact_id = ?"
            params.append(contact_id)
        return int(self.conn.execute(sql, params).fetchone()[0])

    def purchase_days(self, as_of: date) -> dict[int, tuple[str, list[date]]]:
        """Active companies with sales up to `as_of`: (name, their sales' days, oldest first)."""
        rows = self.conn.execute(
            """SELECT c.id, c.name, s.sold_on FROM sales s JOIN companies c ON c.id = s.company_id
               WHERE c.archived = 0 AND s.sold_on <= ? ORDER BY c.id, s.sold_on""",
            (as_of.isoformat(),),
        )
        days: dict[int, tuple[str, list[date]]] = {}
        for company_id, name, sold_on in rows:
            days.setdefault(company_id, (name, []))[1].append(date.fromisoformat(sold_on))
        return days

    def people_with_cadence(self) -> dict[int, int]:
        """{company id: how many of its active people have a keep-in-touch cadence} for
        active companies."""
        rows = self.conn.execute(
            """SELECT p.company_id, count(*) FROM contacts p
               JOIN companies c ON c.id = p.company_id
               WHERE p.archived = 0 AND c.archived = 0 AND p.cadence_in_force IS NOT NULL
               GROUP BY p.company_id"""
        )
        return {company_id: int(count) for company_id, count in rows}

    def active_names(self) -> dict[int, str]:
        """{company id: name} of the active companies."""
        rows = self.conn.execute("SELECT id, name FROM companies WHERE archived = 0")
        return {company_id: name for company_id, name in rows}

    def names_of_people(self, contact_ids: Iterable[int]) -> dict[int, str]:
        """{contact id: company name} for those of `contact_ids` who are active people of
        active companies (read for the rows a page shows, not for everyone)."""
        ids = sorted(set(contact_ids))
        names: dict[int, str] = {}
        for offset in range(0, len(ids), 500):  # one IN (…) list each
            chunk = ids[offset : offset + 500]
            rows = self.conn.execute(
                f"""SELECT p.id, c.name FROM contacts p JOIN companies c ON c.id = p.company_id
                    WHERE p.archived = 0 AND c.archived = 0
                      AND p.id IN ({",".join("?" * len(chunk))})""",
                chunk,
            )
            names.update({contact_id: name for contact_id, name in rows})
        return names

    def touch_clocks(self) -> dict[int, tuple[int, date]]:
        """{company id: (its cadence, the day its keep-in-touch clock starts)} for active
        companies with a cadence: the latest interaction with anyone there, or a later restart
        of a person's clock (contacts.check_in_due_on's rule, over its active people)."""
        rows = self.conn.execute(
            """SELECT c.id, c.cadence_days,
                 max(max(coalesce(p.last_touch_on, ''), coalesce(p.touch_anchor_on, ''))) AS clock
               FROM companies c JOIN contacts p ON p.company_id = c.id AND p.archived = 0
               WHERE c.archived = 0 AND c.cadence_days > 0 GROUP BY c.id"""
        )
        return {
            company_id: (cadence, date.fromisoformat(clock))
            for company_id, cadence, clock in rows
            if clock
        }

    def departures(self, company_id: int) -> list[Departure]:
        rows = self.conn.execute(
            """SELECT d.*, c.name AS contact_name FROM company_departures d
               JOIN contacts c ON c.id = d.contact_id
               WHERE d.company_id = ? ORDER BY d.left_on DESC, d.id DESC""",
            (company_id,),
        )
        return [
            Departure(r["contact_id"], r["contact_name"], r["company_id"], r["role"],
                      date.fromisoformat(r["left_on"]))
            for r in rows
        ]  # fmt: skip

    def folded(self) -> list[tuple[str, str]]:
        """The companies the upgrade to one case rule (schema 17) merged into another, as
        (the name it had, the name of the company it is now part of)."""
        rows = self.conn.execute(
            """SELECT old, new FROM history WHERE source = ? AND entity = 'company'
               AND action = 'merged' ORDER BY id""",
            (UPGRADE_SOURCE,),
        )
        return [(str(r["old"]), str(r["new"])) for r in rows]

    def merged_spellings(self) -> list[MergedSpelling]:
        """The free-text company names schema version 8 turned into companies, by company."""
        rows = self.conn.execute(
            """SELECT s.spelling, s.contacts, s.company_id, c.name AS company_name
               FROM company_spellings s JOIN companies c ON c.id = s.company_id
               ORDER BY c.name COLLATE NOCASE, c.id, s.contacts DESC, s.spelling"""
        )
        return [
            MergedSpelling(r["spelling"], r["contacts"], r["company_id"], r["company_name"])
            for r in rows
        ]


def _company(row: Row) -> Company:
    return Company(
        id=row["id"],
        name=row["name"],
        owner=row["owner"],
        owner_id=row["owner_id"],
        cadence_days=row["cadence_days"],
        archived=bool(row["archived"]),
        version=row["version"],
    )
