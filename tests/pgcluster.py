"""A throwaway PostgreSQL cluster for the tests and the bench (bench/postgres.py imports
this module too), started from the installed binaries.

The server refuses to run as root, so as root it runs as the `postgres` user (`runuser`);
its data directory and socket live in a temporary directory it owns. For the tests durability
is off (fsync, synchronous_commit, full_page_writes): the cluster is deleted after the run.
The bench asks for a server's defaults instead (`durable=True`), so its figures are honest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BIN = Path(os.environ.get("CRM_PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_USER = "postgres"
PASSWORD_ROLE = "crm_with_password"


def missing_reason() -> str | None:
    """Why no cluster can be started here (None: it can)."""
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        return f"no PostgreSQL binaries in {BIN} (apt-get install postgresql-15, or set CRM_PG_BIN)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as another user"
    return None


def _as_server(args: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *args] if os.geteuid() == 0 else args


@dataclass
class Cluster:
    """A running server reachable on a Unix socket in `socket_dir` as the superuser `user`."""

    base: Path
    socket_dir: Path
    user: str

    def url(self, database: str, user: str | None = None) -> str:
        return f"postgresql://{user or self.user}@/{database}?host={self.socket_dir}"

    def writer(self, database: str, role: str) -> str:
        """The URL of a login role (made if missing) with write rights on every table and
        sequence of `database`, but owning none of them."""
        self.psql(
            f"DO $$ BEGIN CREATE ROLE {role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL;"
            f" END $$; GRANT ALL ON ALL TABLES IN SCHEMA public TO {role};"
            f" GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}",
            database=database,
        )
        return self.url(database, user=role)

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            [str(BIN / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
             "-h", str(self.socket_dir), "-U", self.user, "-d", database, "-c", sql],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def stop(self, *, keep: bool = False) -> None:
        """Stop the server and remove its directory (`keep`: a clean shutdown, the data kept
        for the next `start(base=…)`)."""
        mode = "fast" if keep else "immediate"
        subprocess.run(
            _as_server([str(BIN / "pg_ctl"), "-D", str(self.base / "data"), "-m", mode,
                        "-w", "stop"]),
            capture_output=True, check=False,
        )  # fmt: skip
        if not keep:
            shutil.rmtree(self.base, ignore_errors=True)


def start(*, durable: bool = False, base: Path | None = None) -> Cluster:
    """initdb and start a new cluster; its superuser is the server user (or this user).
    `durable`: PostgreSQL's default durability and buffers, as a real server has them.
    `base`: the cluster's directory, kept between runs (started again if it holds one)."""
    if base is None:
        base = Path(tempfile.mkdtemp(prefix="crm-pg-"))
    base.mkdir(exist_ok=True)
    socket_dir = base / "socket"
    socket_dir.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(base, SERVER_USER)
        shutil.chown(socket_dir, SERVER_USER)
        user = SERVER_USER
    else:
        import getpass

        user = getpass.getuser()
    os.chmod(base, 0o755)
    data = base / "data"
    if not (data / "PG_VERSION").exists():
        _initdb(data, user)
    options = f"-c listen_addresses='' -c unix_socket_directories={socket_dir}"
    if not durable:
        options += (
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c shared_buffers=32MB -c max_connections=60"
        )
    subprocess.run(
        _as_server([str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                    str(base / "server.log"), "-w", "start"]),
        capture_output=True, check=True,
    )  # fmt: skip
    return Cluster(base, socket_dir, user)


def _initdb(data: Path, user: str) -> None:
    """A new cluster in `data` whose superuser is `user`."""
    subprocess.run(
        _as_server([str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", user,
                    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]),
        capture_output=True, check=True,
    )  # fmt: skip
    # One role signs in with a password (the tests of a wrong one); every other is trusted.
    (data / "pg_hba.conf").write_text(
        f"local all {PASSWORD_ROLE} scram-sha-256\nlocal all all trust\n", encoding="utf-8"
    )
