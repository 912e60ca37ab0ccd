"""The PostgreSQL backend: the same `Database` interface as the SQLite file, over psycopg 3.

psycopg (~157 ms to import) is loaded only here, when a PostgreSQL URL is opened. The
repositories' SQL is written once, in SQLite's dialect where it is portable; `pg_sql` reads
it for PostgreSQL (placeholders, SQLite's index hints dropped, LIKE as ILIKE, since SQLite's
LIKE ignores case). Where the dialects really differ a repository asks `db.dialect`.
Credentials follow libpq (~/.pgpass, PGSERVICE, PG* variables); a URL shown to the user has
its password masked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from tinycrm.config import masked_url
from tinycrm.errors import Forbidden, MissingDatabase, StorageError
from tinycrm.store.schema import LATEST_VERSION, schema_differences
from tinycrm.store.schema_data import DATA_STEPS
from tinycrm.store.schema_pg import BASELINE, BASELINE_VERSION, MIGRATIONS, VERSION_TABLE
from tinycrm.store.transactions import savepoint

if TYPE_CHECKING:
    import psycopg

# Every write transaction takes this transaction-level advisory lock first, so writers queue
# as under SQLite's BEGIN IMMEDIATE (docs/decisions.md, "PostgreSQL writes serialise").
WRITE_LOCK = 0x7C4D_0001
LOCK_TIMEOUT_MS = 10_000
CHANGES_CHANNEL = "tinycrm_changes"

# The lookahead lists the characters a token can start with, so that the scan passes over
# every other position at once (without it the alternatives are tried at each character:
# ~3 ms of a PostgreSQL `follow-ups today`'s CPU, whose statements are read once a process).
_TOKEN = re.compile(
    r"""(?=['"?:%\sLCci])(?:'(?:[^']|'')*'|"[^"]*"|\?(\d*)|(?<![:\w]):([A-Za-z_]\w*)|%"""
    r"""|\s+INDEXED\s+BY\s+\w+|\b(?:LIKE\b|CROSS\s+JOIN\b|char\(|instr\())"""
)


@lru_cache(maxsize=1024)
def pg_sql(sql: str) -> tuple[str, bool]:
    """SQLite-dialect SQL for psycopg: `?` and `:name` placeholders as `%s` and `%(name)s`
    (`?N` as `%(pN)s`, so that a value used twice is one typed parameter; True is returned
    then), `%` doubled, `INDEXED BY` hints dropped, LIKE read as ILIKE, CROSS JOIN (always
    with ON here) as JOIN, and char() and instr() as chr() and strpos()."""
    numbered = "?" in sql and re.search(r"\?\d", sql) is not None
    highest = 0  # as in SQLite, a bare `?` is numbered one past the highest so far

    def replace(match: re.Match[str]) -> str:
        nonlocal highest
        text = match.group(0)
        if text[0] == "'":
            return text.replace("%", "%%")
        if text[0] == '"':
            return text
        if text[0] == "?":
            if not numbered:
                return "%s"
            number = int(match.group(1)) if match.group(1) else highest + 1
            highest = max(highest, number)
            return f"%(p{number})s"
        if text[0] == ":":
            return f"%({match.group(2)})s"
        if text == "%":
            return "%%"
        if text.upper() == "LIKE":
            return "ILIKE"
        if text == "char(":
            return "chr("  # SQLite's char(code) is PostgreSQL's chr(code)
        if text == "instr(":
            return "strpos("  # the same arguments, in the same order
        if text.upper().startswith("CROSS"):
            return "JOIN"  # SQLite's planner hint; PostgreSQL's CROSS JOIN takes no ON
        return ""  # an INDEXED BY hint

    return _TOKEN.sub(replace, sql), numbered


def _params(numbered: bool, params: Any) -> Any:
    if params is None:
        return ()
    if numbered and not isinstance(params, Mapping):
        return {f"p{i}": value for i, value in enumerate(params, start=1)}
    return params


class Row(tuple[Any, ...]):
    """A result row readable by position or column name, like sqlite3.Row; each statement's
    rows are of a subclass that holds its columns' names once (`_row_class`)."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


NUMERIC_OID = 1700  # pg_type's oid of numeric (what sum() of a bigint and avg() return)


@lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    """The Row subclass of a result with these columns (the first of a repeated name wins)."""
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    return type("Row", (Row,), {"__slots__": (), "_index": index})


def _plain(value: Any) -> Any:
    """numeric as SQLite gives it: a whole number as int, else float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _row_factory(cursor: Any) -> Any:
    """Rows of the cursor's result: only its numeric columns are converted (`_plain`)."""
    columns = cursor.description or ()
    row_class = _row_class(tuple(column.name for column in columns))
    numeric = [i for i, column in enumerate(columns) if column.type_code == NUMERIC_OID]
    if not numeric:
        return row_class

    def make(values: Sequence[Any]) -> Row:
        plain = list(values)
        for i in numeric:
            plain[i] = _plain(plain[i])
        return row_class(plain)

    return make


class PgConnection:
    """The part of sqlite3.Connection the repositories use, over one psycopg connection."""

    def __init__(self, raw: psycopg.Connection[Any], name: str) -> None:
        self.raw = raw
        self.name = name

    def execute(self, sql: str, params: Any = None) -> Any:
        query, numbered = pg_sql(sql)
        try:
            return self.raw.execute(query, _params(numbered, params))
        except Exception as exc:
            raise storage_error(self.name, exc) from exc

    def stream(self, sql: str, params: Any = None) -> Any:
        """A server-side cursor over `sql`'s rows, fetched as asked (inside a transaction)."""
        query, numbered = pg_sql(sql)
        cursor = self.raw.cursor(name="crm_stream")
        try:
            cursor.execute(query, _params(numbered, params))
        except Exception as exc:
            cursor.close()
            raise storage_error(self.name, exc) from exc
        return cursor

    def executemany(self, sql: str, rows: Iterable[Any]) -> Any:
        query, numbered = pg_sql(sql)
        cursor = self.raw.cursor()
        batch = [_params(numbered, row) for row in rows]
        if not batch:
            return cursor
        try:
            cursor.executemany(query, batch)
        except Exception as exc:
            raise storage_error(self.name, exc) from exc
        return cursor

    @property
    def in_transaction(self) -> bool:
        import psycopg

        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


class PgDatabase:
    """A tinycrm database on a PostgreSQL server, migrated to the current schema."""

    dialect: Literal["postgresql"] = "postgresql"
    files: tuple[Path, ...] = ()
    filesystem: str | None = None
    on_network_filesystem = False

    def __init__(
        self, url: str, *, migrate: bool = True, create: bool = False, read_only: bool = False
    ) -> None:
        """Connect to `url`. A database without the tinycrm schema is an error unless
        `create` (then the schema is made and `created` is True); the database itself is the
        administrator's to create. `read_only`: every transaction is read-only."""
        self.url = url
        self.target = url  # what `Store.open` takes to open this database again
        self.location = masked_url(url)
        self.path = Path(self.location)  # shown in messages only; there is no file
        self.read_only = read_only
        self.write_refusal: str | None = None  # Store.act_as: why this user may not write
        self.created = False
        self.migrated: list[int] = []  # the versions this open applied
        self._depth = 0
        self.conn = PgConnection(_connect(url, self.location, read_only), self.location)
        self.role: str = self.conn.raw.info.user  # the role it logged in as (session_user)
        try:
            self.version = self._version_at_open()
            self._refuse_foreign(create=create and not read_only)
            if migrate and not read_only and self.version < LATEST_VERSION:
                self.created = self.version == 0
                self.migrated = self.migrate()
        except BaseException:
            self.conn.raw.close()
            raise

    def _refuse_foreign(self, *, create: bool) -> None:
        if self.version > LATEST_VERSION:
            raise StorageError(
                f"{self.location} was written by a newer tinycrm (schema {self.version}; this"
                f" version knows up to {LATEST_VERSION}): upgrade tinycrm, it was left untouched"
            )
        if self.version:
            return
        tables = self.conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()[0]
        if tables:
            raise StorageError(
                f"{self.location} holds tables but not a tinycrm database; it was left untouched"
                " (choose another database with --db)"
            )
        if not create:
            raise MissingDatabase(
                f"no tinycrm database in {self.location} yet (`crm db migrate`, `crm contacts"
                " add`, `crm contacts import` or `crm demo` create its tables)"
            )

    def _version_at_open(self) -> int:
        """schema_version() in one statement, outside a transaction, where a database
        without tinycrm's tables may fail it harmlessly."""
        import psycopg

        try:
            found = self.conn.raw.execute(f"SELECT max(version) FROM {VERSION_TABLE}").fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
        except psycopg.Error as exc:
            raise storage_error(self.location, exc) from exc
        return int(found[0] or 0) if found else 0

    def schema_version(self) -> int:
        row = self.conn.execute(
            f"SELECT to_regclass('{VERSION_TABLE}') IS NOT NULL AS present"
        ).fetchone()
        if not row[0]:
            return 0
        found = self.conn.execute(f"SELECT max(version) FROM {VERSION_TABLE}").fetchone()[0]
        return int(found or 0)

    def migrate(self, migrations: Mapping[int, list[str]] | None = None) -> list[int]:
        """Apply pending migrations, each in its own transaction with the version bump; a
        new database gets the baseline (the current schema at BASELINE_VERSION) first."""
        steps = dict(MIGRATIONS if migrations is None else migrations)
        applied: list[int] = []
        pending = [(BASELINE_VERSION, BASELINE), *sorted(steps.items())]
        for version, statements in pending:
            if version <= self.schema_version():
                continue
            try:
                with self.write():
                    current = self.schema_version()
                    if version <= current:
                        continue
                    for statement in statements:
                        self.conn.raw.execute(statement.encode())
                    if version in DATA_STEPS:
                        DATA_STEPS[version](self.conn)
                    if current == 0:
                        self.conn.raw.execute(f"CREATE TABLE {VERSION_TABLE} (version INTEGER)")
                    self.conn.raw.execute(f"DELETE FROM {VERSION_TABLE}")
                    self.conn.raw.execute(f"INSERT INTO {VERSION_TABLE} VALUES ({version})")
            except Exception as exc:
                if isinstance(exc, StorageError):
                    raise
                raise StorageError(
                    f"migrating {self.location} to schema {version} failed"
                    f" ({_first_line(exc)}); it was left unchanged at version"
                    f" {self.schema_version()}"
                ) from exc
            applied.append(version)
        self.version = self.schema_version()
        return applied

    @contextmanager
    def write(self) -> Iterator[PgConnection]:
        """One write transaction; its first act is the write lock, so concurrent writers
        queue (for at most LOCK_TIMEOUT_MS) and each reads what the one before committed.
        Nested calls join it."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        if self.write_refusal:
            raise Forbidden(self.write_refusal)
        self.conn.execute("BEGIN")
        self._depth = 1
        try:
            self.conn.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            yield self.conn
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                # Delivered after the commit, once per transaction: open screens re-read.
                self.conn.execute(f"NOTIFY {CHANGES_CHANNEL}")
                self.conn.execute("COMMIT")
            except StorageError:
                self._rollback()
                raise
        finally:
            self._depth = 0

    @contextmanager
    def savepoint(self) -> Iterator[PgConnection]:
        """A part of a write transaction that is undone alone when it fails (the failure
        still propagates), so one bad record of a file does not cost the others."""
        with self.write() as conn, savepoint(conn):
            yield conn

    @contextmanager
    def rehearsal(self) -> Iterator[PgConnection]:
        """One write transaction that is always rolled back (a dry run reads back inside it)."""
        try:
            with self.write() as conn:
                yield conn
                raise _Discard
        except _Discard:
            pass

    @contextmanager
    def read(self) -> Iterator[PgConnection]:
        """One read transaction on one snapshot (REPEATABLE READ); joins an outer one."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            yield self.conn
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.raw.execute("ROLLBACK")
        except Exception:  # a broken connection has rolled back on the server already
            return

    def integrity_problems(self, quick: bool = True) -> list[str]:
        """amcheck's B-tree verification of tinycrm's indexes when the extension is
        installed (`quick`: none; PostgreSQL checks pages as it reads them); a partitioned
        table's index is verified in its partitions'."""
        if quick:
            return []
        present = self.conn.execute(
            "SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'"
        ).fetchone()[0]
        if not present:
            return []
        problems = []
        indexes = self.conn.execute(
            """SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE a.amname = 'btree' AND c.relkind = 'i' AND n.nspname = current_schema()"""
        ).fetchall()
        for oid, name in indexes:
            try:
                with self.read():
                    self.conn.execute("SELECT bt_index_check(?::regclass)", (oid,))
            except StorageError as exc:
                problems.append(f"index {name}: {exc}")
        return problems

    def schema_unchecked(self) -> str | None:
        """Why the schema cannot be compared here, or None: the comparison builds a scratch
        schema, which needs CREATE on the database."""
        row = self.conn.execute(
            "SELECT has_database_privilege(current_database(), 'CREATE')"
        ).fetchone()
        if row[0]:
            return None
        return (
            "the schema was not compared with its version's: this role may not create the"
            " scratch schema the comparison builds (run the check as the database's owner)"
        )

    def amcheck_available(self) -> bool:
        row = self.conn.execute(
            "SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'"
        ).fetchone()
        return bool(row[0])

    def foreign_key_problems(self) -> list[str]:
        return []  # PostgreSQL enforces foreign keys on every write

    def schema_differences(self) -> list[str]:
        """Tables, columns, indexes and triggers that differ from a fresh copy of the schema
        at this version, built in a scratch schema inside a transaction that is rolled back."""
        version = self.schema_version()
        statements = [*BASELINE, *(s for v, ss in sorted(MIGRATIONS.items()) if v <= version
                                   for s in ss)]  # fmt: skip
        actual = _schema_shape(self.conn, "current_schema()")
        try:
            with self.write():
                self.conn.raw.execute("CREATE SCHEMA tinycrm_expected")
                self.conn.raw.execute("SET LOCAL search_path = tinycrm_expected, public")
                for statement in statements:
                    self.conn.raw.execute(statement.encode())
                expected = _schema_shape(self.conn, "'tinycrm_expected'")
                raise _Discard
        except _Discard:
            pass
        except StorageError as exc:
            return [f"the schema could not be compared ({exc})"]
        return schema_differences(expected, actual)

    def table_counts(self, tables: tuple[str, ...]) -> tuple[dict[str, int], list[str]]:
        counts: dict[str, int] = {}
        for name in tables:
            if self.conn.execute("SELECT to_regclass(?)", (name,)).fetchone()[0] is None:
                continue
            counts[name] = int(self.conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
        return counts, []

    def backup_to(self, target: Path) -> None:
        """pg_dump's custom format of this database into `target` (mode 0600)."""
        dump = shutil.which("pg_dump")
        if dump is None:
            raise StorageError(
                "pg_dump is not installed: install PostgreSQL's client tools (e.g. apt-get"
                f" install postgresql-client) or back up {self.location} on the server"
            )
        partial = target.with_name(f".{target.name}.partial")
        try:
            partial.touch(mode=0o600, exist_ok=False)
            done = subprocess.run(
                [dump, "--format=custom", "--no-owner", f"--file={partial}",
                 f"--dbname={self.url}"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode:
                raise StorageError(f"pg_dump failed: {_first_line(done.stderr)}")
            partial.replace(target)
        except OSError as exc:
            raise StorageError(f"cannot write backup {target}: {exc.strerror}") from exc
        finally:
            partial.unlink(missing_ok=True)

    def close(self) -> None:
        self.conn.raw.close()


class _Discard(Exception):
    """Rolls back the scratch schema built by schema_differences."""


def _connect(url: str, name: str, read_only: bool) -> psycopg.Connection[Any]:
    try:
        import psycopg
    except ImportError as exc:
        raise StorageError(
            "PostgreSQL needs psycopg: pip install 'psycopg[binary]' (tinycrm's dependency)"
        ) from exc
    # jit off: its compile cost follows the whole plan's estimate, which grows with the tables
    # even when a statement stops at a page (docs/decisions.md, "PostgreSQL without JIT").
    options = f"-c lock_timeout={LOCK_TIMEOUT_MS} -c TimeZone=UTC -c jit=off"
    if read_only:
        options += " -c default_transaction_read_only=on"
    try:
        raw = psycopg.connect(
            url, autocommit=True, row_factory=_row_factory, options=options, connect_timeout=10
        )
    except psycopg.ProgrammingError as exc:  # a malformed URL or option
        raise StorageError(f"cannot use database URL {name}: {_first_line(exc)}") from exc
    except psycopg.Error as exc:
        raise StorageError(f"cannot connect to {name}: {_first_line(exc)}") from exc
    return raw


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def storage_error(name: str, exc: Exception) -> StorageError:
    """One line for a psycopg error (a tinycrm error passes through)."""
    import psycopg

    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return StorageError(
            f"{name}: this role may not do that ({_first_line(exc)}); nothing was written"
        )
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return StorageError(f"database {name} is read-only; nothing was written")
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        return StorageError(f"database {name} is busy with another writer; try again")
    if isinstance(exc, psycopg.OperationalError):
        return StorageError(f"lost the connection to {name}: {_first_line(exc)}")
    return StorageError(f"database {name}: {_first_line(exc)}")


def _schema_shape(conn: PgConnection, schema: str) -> dict[str, object]:
    """'table x' → its columns (name, type, null, default, generated), 'index y' → its
    definition without the schema's name, 'trigger z' → its table and definition."""
    shape: dict[str, object] = {}
    columns = conn.execute(
        f"""SELECT table_name, column_name, data_type, is_nullable,
                   coalesce(column_default, ''), coalesce(generation_expression, '')
            FROM information_schema.columns WHERE table_schema = {schema}
            ORDER BY table_name, ordinal_position"""
    ).fetchall()
    for table, *column in columns:
        if table == VERSION_TABLE:
            continue
        entry = shape.setdefault(f"table {table}", [])
        assert isinstance(entry, list)
        entry.append(tuple(_unqualified(str(part)) for part in column))
    for name, definition in conn.execute(
        f"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = {schema}"
    ).fetchall():
        shape[f"index {name}"] = _unqualified(definition)
    for name, table, definition in conn.execute(
        f"""SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT t.tgisinternal AND n.nspname = {schema}"""
    ).fetchall():
        shape[f"trigger {name}"] = (table, _unqualified(definition))
    return shape


def _unqualified(text: str) -> str:
    return re.sub(r"\b(tinycrm_expected|public)\.", "", text)


class PgChangeWatcher:
    """Whether anyone committed a write since the last call (store/watch.py): a connection of
    its own LISTENs on CHANGES_CHANNEL, to which every write transaction sends a NOTIFY."""

    def __init__(self, db: PgDatabase) -> None:
        self._name = db.location
        self._conn: psycopg.Connection[Any] | None = None
        self._listen(db.url)

    def _listen(self, url: str) -> None:
        try:
            self._conn = _connect(url, self._name, read_only=True)
            self._conn.execute(f"LISTEN {CHANGES_CHANNEL}")
        except Exception:
            self._conn = None

    def changed(self) -> bool:
        """Drain the notifications that have arrived, without waiting; a lost connection says
        True (re-read) and is not retried until the next Store."""
        if self._conn is None:
            return False
        try:
            return any(True for _ in self._conn.notifies(timeout=0))
        except Exception:
            self._conn = None
            return True

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
