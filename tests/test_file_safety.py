"""The database and the files crm writes beside it hold against planted links, a mistyped path,
a permissive umask, another user's files and an export aimed at the database (issue 21)."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm.store import Store
from tinycrm.store.connection import Database

AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")

pytestmark = pytest.mark.sqlite_only(reason="the SQLite file, its -wal/-shm, links and modes")


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def crm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tinycrm", *args], capture_output=True, text=True, timeout=60
    )


# -- db backup: planted links and temporary files --------------------------------------------


def test_backup_ignores_a_planted_link_and_temporary_file(
    cli: Invoke, tmp_path: Path, store: Store
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("the victim's own file\n")
    shared = tmp_path / "shared"
    shared.mkdir()
    # 0.1 wrote through `.NAME.partial`: a link there overwrote the victim's file, and a file
    # another user made there became the backup, theirs to read.
    (shared / ".b.db.partial").symlink_to(victim)
    (shared / ".c.db.partial").write_bytes(b"")
    planted = (shared / ".c.db.partial").stat().st_ino
    assert cli("db", "backup", str(shared / "b.db")).exit_code == 0
    assert cli("db", "backup", str(shared / "c.db")).exit_code == 0
    assert victim.read_text() == "the victim's own file\n"
    for name in ("b.db", "c.db"):
        copy = shared / name
        assert not copy.is_symlink() and mode(copy) == 0o600
        assert copy.read_bytes().startswith(b"SQLite format 3\x00")
    assert (shared / "c.db").stat().st_ino != planted
    assert (shared / ".c.db.partial").read_bytes() == b""
    assert sorted(p.name for p in shared.iterdir()) == [
        ".b.db.partial",
        ".c.db.partial",
        "b.db",
        "c.db",
    ]


def test_backup_over_a_link_replaces_the_link_not_its_target(
    cli: Invoke, tmp_path: Path, store: Store
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "b.db"
    link.symlink_to(victim)
    assert cli("db", "backup", str(link), "--force").exit_code == 0
    assert victim.read_text() == "keep me\n"
    assert not link.is_symlink() and mode(link) == 0o600


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_backup_refuses_the_databases_own_files(
    cli: Invoke, isolated_env: Path, store: Store, suffix: str
) -> None:
    store.contacts  # noqa: B018  (an open connection keeps -wal and -shm)
    target = Path(f"{isolated_env / 'crm.db'}{suffix}")
    before = target.stat().st_ino
    result = cli("db", "backup", str(target), "--force")
    assert result.exit_code == 1
    assert "database itself" in result.stderr
    assert target.stat().st_ino == before


def test_importing_the_database_itself_is_refused(
    cli: Invoke, isolated_env: Path, store: Store
) -> None:
    database = isolated_env / "crm.db"
    before = digest_of(database)
    result = cli("contacts", "import", str(database))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "is the database itself" in result.stderr
    assert digest_of(database) == before


# -- a missing database ----------------------------------------------------------------------

READ_COMMANDS = [
    ["contacts", "list"],
    ["notes", "list"],
    ["follow-ups", "today"],
    ["report", "at-risk"],
    ["digest"],
    ["digest", "--send", "--quiet-if-empty"],
    ["db", "check"],
    ["db", "migrate"],
    ["db", "backup", "copy.db"],
    ["contacts", "export", "-o", "out.vcf"],
    ["tui"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_a_missing_database_is_an_error_and_nothing_is_created(
    cli: Invoke, tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "config.toml").write_text(
        '[smtp]\nhost = "127.0.0.1"\nport = 9\nfrom = "a@b.example"\nto = ["c@d.example"]\n'
    )
    missing = tmp_path / "unmounted" / "dir" / "x.db"
    result = cli("--db", str(missing), *command)
    assert result.exit_code == 1
    assert result.stderr == (
        f"crm: no database at {missing} (check --db or CRM_DB; `crm contacts add`,"
        " `crm contacts import` or `crm demo` create one)\n"
    )
    assert not (tmp_path / "unmounted").exists()
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "out.vcf").exists()


def test_only_a_command_that_adds_data_creates_the_database_and_says_where(
    tmp_path: Path,
) -> None:
    target = tmp_path / "new" / "x.db"
    assert crm("--db", str(target), "notes", "add", "1", "hello").returncode == 1
    assert not (tmp_path / "new").exists()
    first = crm("--db", str(target), "contacts", "add", "Ann")
    assert first.returncode == 0
    assert first.stderr == f"crm: created new database at {target}\n"
    again = crm("--db", str(target), "contacts", "add", "Bob")
    assert (again.returncode, again.stderr) == (0, "")


# -- umask, ownership and permissions --------------------------------------------------------


def test_missing_parents_are_private_under_umask_000(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "XDG_"))}
    env["HOME"] = str(home)
    done = subprocess.run(
        ["sh", "-c", f'umask 000 && exec "{sys.executable}" -m tinycrm contacts add Ann'],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    created = [home / ".local", home / ".local/share", home / ".local/share/tinycrm"]
    assert [mode(d) for d in created] == [0o700, 0o700, 0o700]
    assert mode(home / ".local/share/tinycrm/crm.db") == 0o600


def test_a_database_folder_others_may_write_is_refused(cli: Invoke, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    assert cli("--db", str(shared / "x.db"), "contacts", "add", "Ann").exit_code == 0
    shared.chmod(0o777)
    result = cli("--db", str(shared / "x.db"), "contacts", "list")
    assert result.exit_code == 1
    assert "writable by every user" in result.stderr
    shared.chmod(0o1777)  # sticky, as /tmp: others cannot swap the file
    assert cli("--db", str(shared / "x.db"), "contacts", "list").exit_code == 0


def test_a_database_others_may_write_is_refused(cli: Invoke, isolated_env: Path) -> None:
    assert cli("contacts", "add", "Ann").exit_code == 0
    (isolated_env / "crm.db").chmod(0o666)
    result = cli("contacts", "list")
    assert result.exit_code == 1
    assert "writable by every user" in result.stderr


@AS_ROOT
def test_a_database_of_another_user_is_refused(cli: Invoke, isolated_env: Path) -> None:
    assert cli("contacts", "add", "Ann").exit_code == 0
    before = digest_of(isolated_env / "crm.db")
    os.chown(isolated_env / "crm.db", 65534, 65534)
    result = cli("contacts", "add", "Bob")
    assert result.exit_code == 1
    assert "belongs to another user" in result.stderr
    assert digest_of(isolated_env / "crm.db") == before


def test_a_config_file_others_may_write_is_refused(cli: Invoke, isolated_env: Path) -> None:
    config = isolated_env / "config.toml"
    config.write_text('[smtp]\npassword_command = "echo secret"\n')
    config.chmod(0o666)
    result = cli("contacts", "list")
    assert result.exit_code == 2
    assert "writable by others" in result.stderr


@AS_ROOT
def test_a_config_file_of_another_user_is_refused(cli: Invoke, isolated_env: Path) -> None:
    config = isolated_env / "config.toml"
    config.write_text("[follow_ups]\nupcoming_days = 3\n")
    os.chown(config, 65534, 65534)
    result = cli("contacts", "list")
    assert result.exit_code == 2
    assert "belongs to another user" in result.stderr


# -- db check leaves a backup as it was ------------------------------------------------------


def test_db_check_does_not_modify_a_backup(cli: Invoke, tmp_path: Path, store: Store) -> None:
    assert cli("contacts", "add", "Ann").exit_code == 0
    backup = tmp_path / "b.db"
    assert cli("db", "backup", str(backup)).exit_code == 0
    before = digest_of(backup)
    result = cli("--db", str(backup), "db", "check")
    assert result.exit_code == 0
    assert "Integrity" in result.stdout and "ok" in result.stdout
    assert digest_of(backup) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.db")) == ["b.db"]


# -- exports never replace the database ------------------------------------------------------


@pytest.mark.parametrize("how", ["itself", "-wal", "-shm", "symlink", "hard link"])
@pytest.mark.parametrize("export", [["contacts", "export", "-f", "csv"], ["export", "ics"]])
def test_an_export_onto_the_database_is_refused(
    cli: Invoke, isolated_env: Path, how: str, export: list[str]
) -> None:
    assert cli("contacts", "add", "Ann").exit_code == 0
    database = isolated_env / "crm.db"
    holder = Database(database)  # a live connection keeps -wal and -shm in place
    try:
        if how in ("-wal", "-shm"):
            target = Path(f"{database}{how}")
        elif how == "symlink":
            target = isolated_env / "contacts.csv"
            target.symlink_to(database)
        elif how == "hard link":
            target = isolated_env / "contacts.csv"
            os.link(database, target)
        else:
            target = database
        before = database.stat().st_ino, target.stat().st_ino
        result = cli(*export, "-o", str(target))
        assert result.exit_code == 1
        assert "is the database" in result.stderr
        assert (database.stat().st_ino, target.stat().st_ino) == before
    finally:
        holder.close()
    assert "Ann" in cli("contacts", "list").stdout


def test_an_export_to_a_pipe_writes_through_it(cli: Invoke, tmp_path: Path, store: Store) -> None:
    assert cli("contacts", "add", "Ann").exit_code == 0
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        result = cli("contacts", "export", "-f", "csv", "-o", str(fifo))
    finally:
        if reader.is_alive():  # nothing opened the pipe: let the reader go
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert b"Ann" in received[0]


def test_an_export_to_dev_stdout_writes_through_it(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    assert crm("--db", str(database), "contacts", "add", "Ann").returncode == 0
    done = crm("--db", str(database), "contacts", "export", "-f", "csv", "-o", "/dev/stdout")
    assert done.returncode == 0, done.stderr
    assert "Ann" in done.stdout
    assert Path("/dev/stdout").is_symlink()


def test_an_export_through_a_link_to_a_file_of_yours_writes_that_file(
    cli: Invoke, tmp_path: Path, store: Store
) -> None:
    assert cli("contacts", "add", "Ann").exit_code == 0
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert cli("contacts", "export", "-f", "csv", "-o", str(link)).exit_code == 0
    assert link.is_symlink()
    assert "Ann" in real.read_text()


# -- db check sees a WAL deleted under a live process ----------------------------------------

HOLDER = """
import sys
from tinycrm.store import Store
store = Store.open(sys.argv[1])
store.db.conn.execute("SELECT count(*) FROM contacts").fetchone()
print("open", flush=True)
sys.stdin.readline()
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_db_check_names_a_process_left_with_a_deleted_wal(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    assert crm("--db", str(database), "contacts", "add", "Ann").returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        assert crm("--db", str(database), "db", "check").returncode == 0
        # What 0.1's lost locks let another process do (or an `rm` by hand):
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink()
        done = crm("--db", str(database), "db", "check")
        assert done.returncode == 1
        assert f"process {holder.pid} (python" in done.stderr
        assert "deleted write-ahead log" in done.stderr
    finally:
        holder.communicate("\n", timeout=30)
    assert crm("--db", str(database), "db", "check").returncode == 0


# -- nothing in the process opens the database outside SQLite --------------------------------

AUDITED = """
import contextlib, io, os, sys
from tinycrm.cli.app import run
from tinycrm.store import Store
db = sys.argv[1]
names = {os.path.realpath(db + suffix) for suffix in ("", "-wal", "-shm")}
opened = []

def audit(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        if os.path.realpath(os.fsdecode(args[0])) in names:
            opened.append(os.fsdecode(args[0]))

screens = Store.open(db)  # as `crm tui`: a connection held while everything else runs
sys.addaudithook(audit)
codes = []
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    for args in sys.argv[2:]:
        codes.append(run(["--db", db, *args.split("|")]))
print(codes, opened)
"""


def test_no_command_opens_the_database_files_outside_sqlite(tmp_path: Path) -> None:
    """Closing any descriptor of the database drops every SQLite lock of the process (the
    0.1 lost-writes bug): with a connection held, no command opens the file, -wal or -shm."""
    database = tmp_path / "x.db"
    assert crm("--db", str(database), "contacts", "add", "Ann").returncode == 0
    wal = f"{database}-wal"
    commands = [
        "contacts|add|Bob", "notes|add|Ann|hello", "contacts|list", "digest", "db|check",
        f"db|backup|{tmp_path / 'b.db'}", f"db|backup|{wal}|--force",
        f"contacts|export|-o|{database}", f"contacts|export|-f|csv|-o|{wal}",
        f"export|ics|-o|{tmp_path / 'x.ics'}", f"contacts|import|{database}",
        f"contacts|import|{wal}|--format|csv",
    ]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", AUDITED, str(database), *commands],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    codes, opened = done.stdout.strip().split("] ")
    assert codes == "[0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 2, 2"
    assert opened == "[]"
