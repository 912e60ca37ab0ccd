"""SQL for users, what they hold, hand-overs, and the schema upgrade's merged owners."""

from __future__ import annotations

from tinycrm.models.users import Holdings, MergedOwner, User
from tinycrm.store.backend import Backend, Connection, Row
from tinycrm.store.stamps import now_iso
from tinycrm.store.versions import update_versioned


def name_key(param: str) -> str:
    """SQL for the key of the user name in `param` (case and whitespace ignored; lower() folds
    ASCII only on SQLite). A company's key is company_names.company_key, made in Python."""
    return (
        f"lower(replace(replace(replace(replace(replace({param}, ' ', ''), char(9), ''),"
        " char(10), ''), char(13), ''), char(160), ''))"
    )


# The open follow-ups and cases a user holds by name (an unassigned one follows its contact).
_OPEN_FOLLOW_UPS = "status = 'open' AND assignee_id = ?"
_OPEN_CASES = "resolved_on IS NULL AND owner_id = ?"


class UserRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
        return self.db.conn

    def get(self, user_id: int) -> User | None:
        row = self.conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return _user(row) if row else None

    def all(self, *, active_only: bool = False) -> list[User]:
        where = "WHERE active = 1" if active_only else ""
        rows = self.conn.execute(f"SELECT * FROM users {where} ORDER BY name COLLATE NOCASE, id")
        return [_user(row) for row in rows]

    def session_role(self) -> str | None:
        """The PostgreSQL role this connection logged in as (SQLite: None)."""
        return self.db.role if self.db.dialect == "postgresql" else None

    def names(self) -> dict[int, str]:
        return dict(self.conn.execute("SELECT id, name FROM users"))

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM users").fetchone()[0])

    def has_admin(self) -> bool:
        row = self.conn.execute("SELECT 1 FROM users WHERE admin = 1 LIMIT 1").fetchone()
        return row is not None

    def find_by_name(self, name: str) -> User | None:
        """The user whose name equals `name` but for case and whitespace."""
        row = self.conn.execute(
            f"SELECT * FROM users WHERE name_key = {name_key('?')}", (name.strip(),)
        ).fetchone()
        return _user(row) if row else None

    def find_by_login(self, login: str, *, any_case: bool = False) -> User | None:
        """The user with this login (`any_case`: as a person types it, case aside)."""
        match = "lower(login) = lower(?)" if any_case else "login = ?"
        row = self.conn.execute(
            f"SELECT * FROM users WHERE {match} ORDER BY login = ? DESC, id LIMIT 1",
            (login, login),
        ).fetchone()
        return _user(row) if row else None

    def signing_in(self, logins: list[str]) -> tuple[User | None, bool]:
        """The user with the first of `logins` that any user has, and whether the CRM has an
        admin: what naming who runs a command reads, in one statement (with the admins)."""
        marks = ", ".join("?" * len(logins)) or "NULL"
        rows = self.conn.execute(
            f"SELECT * FROM users WHERE admin = 1 OR login IN ({marks})", logins
        ).fetchall()
        found = {row["login"]: row for row in rows}  # a login is unique
        user = next((_user(found[login]) for login in logins if login in found), None)
        return user, any(row["admin"] == 1 for row in rows)

    def find_by_email(self, email: str) -> list[User]:
        rows = self.conn.execute(
            "SELECT * FROM users WHERE lower(email) = lower(?) ORDER BY id", (email.strip(),)
        )
        return [_user(row) for row in rows]

    def starting_with(self, prefix: str) -> list[User]:
        """Users whose name (case and whitespace aside) starts with `prefix`'s key."""
        rows = self.conn.execute(
            f"""SELECT * FROM users WHERE substr(name_key, 1, length({name_key("?1")}))
                  = {name_key("?1")} ORDER BY name COLLATE NOCASE, id""",
            (prefix.strip(),),
        )
        return [_user(row) for row in rows]

    def insert(self, user: User) -> int:
        with self.db.write() as conn:
            stamp = now_iso()
            cursor = conn.execute(
                f"""INSERT INTO users (name, name_key, email, login, admin, active, time_zone,
                      created_at, updated_at)
                    VALUES (?1, {name_key("?1")}, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id""",
                (user.name.strip(), user.email, user.login, int(user.admin), int(user.active),
                 user.time_zone, stamp),
            )  # fmt: skip
            return int(cursor.fetchone()[0])

    def ensure(self, name: str) -> int:
        """The id of the user named `name` (but for case and whitespace), made (with a name
        only, as the schema upgrade made them) if there is none: an owner named in a file."""
        with self.db.write():
            found = self.find_by_name(name)
            return found.id or 0 if found is not None else self.insert(User(name=name.strip()))

    def update(self, user: User) -> None:
        """Write the user's fields, if they are still at `user.version` (else Stale)."""
        assert user.id is not None
        with self.db.write() as conn:
            update_versioned(
                conn, "users", "user", user.id, user.version,
                f"""name = ?1, name_key = {name_key("?1")}, email = ?2, login = ?3, admin = ?4,
                    active = ?5, time_zone = ?6, updated_at = ?7""",
                (user.name.strip(), user.email, user.login, int(user.admin), int(user.active),
                 user.time_zone, now_iso()),
            )  # fmt: skip

    def holdings(self, user_id: int) -> Holdings:
        def count(sql: str) -> int:
            return int(self.conn.execute(sql, (user_id,)).fetchone()[0])

        return Holdings(
            customers=count("SELECT count(*) FROM contacts WHERE owner_id = ?"),
            companies=count("SELECT count(*) FROM companies WHERE owner_id = ?"),
            follow_ups=count(f"SELECT count(*) FROM follow_ups WHERE {_OPEN_FOLLOW_UPS}"),
            cases=count(f"SELECT count(*) FROM cases WHERE {_OPEN_CASES}"),
        )

    def hand_over(self, from_id: int, to_id: int) -> Holdings:
        """Give everything `from_id` holds to `to_id`, in one transaction; what moved."""
        with self.db.write() as conn:
            stamp = now_iso()
            moved = Holdings(
                customers=conn.execute(
                    """UPDATE contacts SET owner_id = ?, version = version + 1, updated_at = ?
                       WHERE owner_id = ?""",
                    (to_id, stamp, from_id),
                ).rowcount,
                companies=conn.execute(
                    """UPDATE companies SET owner_id = ?, version = version + 1, updated_at = ?
                       WHERE owner_id = ?""",
                    (to_id, stamp, from_id),
                ).rowcount,
                follow_ups=conn.execute(
                    f"""UPDATE follow_ups SET assignee_id = ?, version = version + 1
                        WHERE {_OPEN_FOLLOW_UPS}""",
                    (to_id, from_id),
                ).rowcount,
                cases=conn.execute(
                    f"UPDATE cases SET owner_id = ?, version = version + 1 WHERE {_OPEN_CASES}",
                    (to_id, from_id),
                ).rowcount,
            )
        return moved

    def merged_owners(self) -> list[MergedOwner]:
        """The free-text owners schema version 10 turned into users, by user."""
        rows = self.conn.execute(
            """SELECT s.spelling, s.uses, s.user_id, u.name AS user_name
               FROM owner_spellings s JOIN users u ON u.id = s.user_id
               ORDER BY u.name COLLATE NOCASE, u.id, s.uses DESC, s.spelling"""
        )
        return [MergedOwner(r["spelling"], r["uses"], r["user_id"], r["user_name"]) for r in rows]


def _user(row: Row) -> User:
    return User(
        id=row["id"],
        name=row["name"],
        email=row["email"],
        login=row["login"],
        admin=bool(row["admin"]),
        active=bool(row["active"]),
        time_zone=row["time_zone"],
        version=row["version"],
    )
