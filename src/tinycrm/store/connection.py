"""Opening the database file safely, and the one way to write to it.

Reads use the plain `sqlite3` connection; sqlite-utils (which costs ~120 ms to import) is
loaded only by the code paths that need its bulk helpers, so read commands start fast.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from tinycrm.errors import Corrupt, Forbidden, MissingDatabase, StorageError
from tinycrm.store.schema import LATEST_VERSION, MIGRATIONS, schema_differences
from tinycrm.store.schema_data import DATA_STEPS
from tinycrm.store.transactions import savepoint

BUSY_TIMEOUT_MS = 10_000
PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA synchronous = NORMAL",
)


# Filesystems over which SQLite's WAL (shared memory, byte-range locks) is unsafe.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "sshfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "ncpfs",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
        "fuse.s3fs",
        "glusterfs",
        "fuse.glusterfs",
        "ceph",
        "fuse.ceph",
        "lustre",
        "gpfs",
        "beegfs",
        "virtiofs",
        "vboxsf",
        "fuse.vmhgfs-fuse",
        "prl_fs",
    }
)
MOUNTS = Path("/proc/mounts")


def _unescape_mount(text: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash in paths as octal escapes."""
    for code in ("040", "011", "012", "134"):
        text = text.replace(f"\\{code}", chr(int(code, 8)))
    return text


def filesystem_type(path: Path, mounts: Path | None = None) -> str | None:
    """The type of the filesystem holding `path` (from /proc/mounts), or None if unknown."""
    try:
        table = (mounts or MOUNTS).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    try:
        where = path.resolve()
    except OSError:
        where = path.absolute()
    best: tuple[int, str] | None = None
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = Path(_unescape_mount(fields[1]))
        if where == mount_point or mount_point in where.parents:
            depth = len(mount_point.parts)
            if best is None or depth >= best[0]:
                best = (depth, fields[2])
    return best[1] if best else None


class _Rehearsed(Exception):
    """Ends a rehearsal's transaction: it is rolled back."""


class Database:
    """A connection to one tinycrm database file, migrated to the current schema."""

    dialect: Literal["sqlite"] = "sqlite"

    def __init__(
        self,
        path: Path | str,
        *,
        migrate: bool = True,
        create: bool = False,
        read_only: bool = False,
    ) -> None:
        """Open the database at `path`. A missing file is an error unless `create` (then it
        is made 0600 and `created` is True). `read_only` opens it with SQLite's `mode=ro`:
        no migration, no switch to WAL, nothing written (e.g. to check a backup)."""
        self.path = Path(path)
        self._depth = 0
        self.migrated: list[int] = []  # the versions this open applied
        self.read_only = read_only
        self.write_refusal: str | None = None  # Store.act_as: why this user may not write
        self.closed = False
        self.created = _prepare_file(self.path, create=create and not read_only)
        self.conn = _connect(self.path, read_only=read_only)
        try:
            # SQLite reads the file's header here: a file that is not SQLite is refused by
            # SQLite itself (never read with open(): see _prepare_file).
            self.version = self.schema_version()
            self._refuse_foreign()
            if not read_only:
                # Only now may the file change: switching to WAL rewrites its header.
                _enable_wal(self.conn)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise _open_error(self.path, exc) from exc
        except StorageError:
            self.conn.close()
            raise
        if migrate and not read_only and self.version < LATEST_VERSION:
            try:
                self.migrated = self.migrate()
            except StorageError:
                self.conn.close()
                raise

    @property
    def target(self) -> Path:
        """What `Store.open` takes to open this database again."""
        return self.path

    @property
    def location(self) -> str:
        """The database as messages name it."""
        return str(self.path)

    @property
    def files(self) -> tuple[Path, Path, Path]:
        """The database file and the two SQLite keeps beside it in WAL mode."""
        return self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")

    @property
    def filesystem(self) -> str | None:
        """The filesystem type of the database's directory (e.g. "ext4", "nfs4"), if known."""
        return filesystem_type(self.path.parent)

    @property
    def on_network_filesystem(self) -> bool:
        """True on NFS, SMB/CIFS, sshfs, 9p and the like, where SQLite's WAL mode (shared
        memory, file locks) does not work reliably: concurrent use can corrupt the file."""
        fstype = self.filesystem
        return fstype is not None and fstype.lower() in NETWORK_FILESYSTEMS

    def _refuse_foreign(self) -> None:
        """A newer tinycrm's file, or another program's SQLite file, is left untouched."""
        if self.version > LATEST_VERSION:
            raise StorageError(
                f"{self.path} was written by a newer tinycrm (schema {self.version}; this version"
                f" knows up to {LATEST_VERSION}): upgrade tinycrm, the file was left untouched"
            )
        if self.version == 0:
            tables = self.conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            if tables:
                raise StorageError(
                    f"{self.path} is a SQLite database but not a tinycrm database; it was left"
                    " untouched (choose another file with --db)"
                )

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, migrations: list[list[str]] | None = None) -> list[int]:
        """Apply pending migrations, each in its own transaction; return the versions applied.

        The version is read again inside each transaction, so two processes opening a new
        file at once do not both run the same migration. A failing migration rolls back
        whole: the previous schema, version and data stay as they were.
        """
        steps = MIGRATIONS if migrations is None else migrations
        applied = []
        for version, statements in enumerate(steps, start=1):
            if version <= self.schema_version():
                continue
            try:
                with self.write():
                    if version <= self.schema_version():
                        continue
                    for statement in statements:
                        self.conn.execute(statement)
                    if version in DATA_STEPS:
                        DATA_STEPS[version](self.conn)
                    self.conn.execute(f"PRAGMA user_version = {version}")
            except sqlite3.Error as exc:
                current = self.schema_version()
                raise StorageError(
                    f"migrating {self.path} to schema {version} failed ({exc}); it was left"
                    f" unchanged at version {current}"
                ) from exc
            applied.append(version)
        self.version = self.schema_version()
        return applied

    @contextmanager
    def rehearsal(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that is always rolled back: what a dry run does is read back
        inside it, then nothing of it stays."""
        with contextlib.suppress(_Rehearsed), self.write() as conn:
            yield conn
            raise _Rehearsed

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with BEGIN IMMEDIATE so concurrent writers queue on
        busy_timeout instead of failing with SQLITE_BUSY_SNAPSHOT. Nested calls join it."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        if self.write_refusal:
            raise Forbidden(self.write_refusal)
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _storage_error(self.path, exc) from exc
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise _storage_error(self.path, exc) from exc
        finally:
            self._depth = 0

    @contextmanager
    def savepoint(self) -> Iterator[sqlite3.Connection]:
        """A part of a write transaction that is undone alone when it fails (the failure
        still propagates), so one bad record of a file does not cost the others."""
        with self.write() as conn, savepoint(conn):
            yield conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same snapshot of the file, so a
        count agrees with the rows it counts. Inside another transaction, joins it."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        # SQLite may already have rolled back (e.g. on SQLITE_FULL); a second ROLLBACK would
        # raise and hide the original error.
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def integrity_problems(self, quick: bool = True) -> list[str]:
        pragma = "quick_check" if quick else "integrity_check"
        try:
            rows = [row[0] for row in self.conn.execute(f"PRAGMA {pragma}")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [] if rows == ["ok"] else rows

    def foreign_key_problems(self) -> list[str]:
        try:
            rows = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        except sqlite3.DatabaseError as exc:
            return [f"foreign key check failed: {exc}"]
        return [f"row {row[1]} of {row[0]} points to a missing {row[2]}" for row in rows]

    def schema_unchecked(self) -> str | None:
        return None  # the comparison builds its schema in memory

    def schema_differences(self) -> list[str]:
        """How this file's tables, columns, indexes and triggers differ from what its schema
        version should have: its normalised `sqlite_master` text and every table's columns
        (`PRAGMA table_xinfo`, generated ones included), compared with a fresh in-memory
        database built by the same migrations."""
        version = self.schema_version()
        fresh = sqlite3.connect(":memory:")
        try:
            for statements in MIGRATIONS[:version]:
                for statement in statements:
                    fresh.execute(statement)
            expected = _schema_shape(fresh)
        finally:
            fresh.close()
        actual = _schema_shape(self.conn)
        return schema_differences(expected, actual)

    def table_counts(self, tables: tuple[str, ...]) -> tuple[dict[str, int], list[str]]:
        """Rows per existing table, and the tables that could not be counted (corruption)."""
        present = {
            row[0]
            for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        counts: dict[str, int] = {}
        problems: list[str] = []
        for name in tables:
            if name not in present:
                continue
            try:
                counts[name] = int(
                    self.conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                )
            except sqlite3.DatabaseError as exc:
                problems.append(f"cannot count {name}: {exc}")
        return counts, problems

    def backup_to(self, target: Path) -> None:
        """A consistent copy via SQLite's online backup (safe while others write), mode 0600.

        It is written in a new directory of this user's (0700, unpredictable name) beside
        `target`, where nobody else can plant a link, then renamed over `target` (a link
        there is replaced, never followed); a failure leaves no half file."""
        try:
            workspace = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        except OSError as exc:
            raise StorageError(f"cannot write backup {target}: {exc.strerror}") from exc
        partial = workspace / "backup.db"
        try:
            copy = sqlite3.connect(partial)
            try:
                self.conn.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
            os.chmod(partial, 0o600)
            os.replace(partial, target)
        except OSError as exc:
            raise StorageError(f"cannot write backup {target}: {exc.strerror}") from exc
        except sqlite3.Error as exc:
            raise StorageError(f"backup failed: {exc}") from exc
        finally:
            shutil.rmtree(workspace, ignore_errors=True)

    def close(self) -> None:
        self.conn.close()
        self.closed = True


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    try:
        if read_only:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                check_same_thread=False,
            )  # fmt: skip
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            conn.execute(pragma)
    except sqlite3.DatabaseError as exc:
        raise _open_error(path, exc) from exc
    return conn


def _enable_wal(conn: sqlite3.Connection) -> None:
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")


def _prepare_file(path: Path, *, create: bool) -> bool:
    """Refuse a directory, an unwritable file or a missing one (unless `create`: then make
    it 0600, in 0700 directories); True if it was created.

    Nothing here opens an existing database file: closing any descriptor of a file drops
    every POSIX lock this process holds on it, SQLite's included, and another process then
    deletes the WAL under this one's connections (docs/decisions.md, "lost writes")."""
    try:
        found = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        if not create:
            raise MissingDatabase(
                f"no database at {path} (check --db or CRM_DB; `crm contacts add`,"
                " `crm contacts import` or `crm demo` create one)"
            ) from None
        return _create_file(path)
    except OSError as exc:
        raise StorageError(f"cannot use database {path}: {exc.strerror}") from exc
    if stat.S_ISDIR(found.st_mode):
        raise StorageError(f"database path {path} is a directory")
    _refuse_shared(path, found, "database")
    _refuse_shared(path.parent, path.parent.stat(), "database folder")
    if not os.access(path, os.W_OK):
        raise StorageError(f"database {path} is not writable")
    return False


def _refuse_shared(path: Path, found: os.stat_result, what: str) -> None:
    """A database (or its folder) that another user owns or may write could be read or
    swapped under its owner: refused. A folder owned by root, or sticky like /tmp, is fine."""
    folder = stat.S_ISDIR(found.st_mode)
    if found.st_uid != os.geteuid() and not (folder and found.st_uid == 0):
        raise StorageError(
            f"{what} {path} belongs to another user (uid {found.st_uid}): refused, as they"
            " could read or replace your data (use a database of your own)"
        )
    if found.st_mode & stat.S_IWOTH and not (folder and found.st_mode & stat.S_ISVTX):
        raise StorageError(
            f"{what} {path} is writable by every user: refused, as anyone could read or replace"
            f" your data (chmod o-w {path})"
        )


def _create_file(path: Path) -> bool:
    try:
        make_private_dirs(path.parent)
        _refuse_shared(path.parent, path.parent.stat(), "database folder")
        # A file that does not exist yet cannot hold a lock of this process: opening and
        # closing it here is safe.
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        os.close(fd)
    except FileExistsError:
        return False  # another process created it at the same moment
    except OSError as exc:
        raise StorageError(f"cannot create database {path}: {exc.strerror}") from exc
    return True


def make_private_dirs(directory: Path) -> None:
    """Create `directory` and its missing parents, each 0700 whatever the umask."""
    missing = []
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        try:
            os.mkdir(candidate, 0o700)
        except FileExistsError:
            continue  # another process created it at the same moment
        os.chmod(candidate, 0o700)  # the umask may have taken bits away from 0700


def _open_error(path: Path, exc: sqlite3.DatabaseError) -> StorageError:
    if "file is not a database" in str(exc):
        return Corrupt(
            f"{path} is not a SQLite database (or its header is damaged); it was left untouched"
        )
    return _storage_error(path, exc)


def holders_of_a_deleted_log(path: Path) -> list[tuple[int, str]]:
    """Processes (id, name) that still hold a deleted `-wal` or `-shm` of this database: what
    they write goes to a log no other process reads, and is lost when they close. Read from
    Linux's /proc (link names only, nothing is opened); another user's processes are seen by
    root only, and elsewhere the answer is empty."""
    base = os.path.realpath(path)
    deleted = {f"{base}-wal (deleted)", f"{base}-shm (deleted)"}
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []
    holders = []
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            if deleted.isdisjoint(links):
                continue
            name = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            continue  # gone meanwhile, or not ours to see
        holders.append((pid, name))
    return holders


def _storage_error(path: Path, exc: sqlite3.Error) -> StorageError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StorageError(f"database {path} is locked by another program; try again")
    if "readonly" in text or "read-only" in text:
        return StorageError(f"database {path} is read-only")
    if "not a database" in text or "malformed" in text:
        return Corrupt(f"database {path} is corrupt or not a tinycrm database: {text}")
    return StorageError(f"database {path}: {text}")


def _schema_shape(conn: sqlite3.Connection) -> dict[str, object]:
    """'table x', 'index y', 'trigger z' → their definition (whitespace-normalised SQL, and for
    a table its columns as `PRAGMA table_xinfo` lists them)."""
    shape: dict[str, object] = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name, table, sql in rows:
        columns: tuple[tuple[object, ...], ...] = ()
        if kind == "table":
            columns = tuple(tuple(r) for r in conn.execute(f'PRAGMA table_xinfo("{name}")'))
        shape[f"{kind} {name}"] = (table, " ".join((sql or "").split()), columns)
    return shape
