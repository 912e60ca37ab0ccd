"""The portal under load: signed-in page views per second and their p99, with the CLI writing.

`python bench/portal_load.py [--db COPY_OF_BENCH_DB] [--backend sqlite|postgresql|both]
[--seconds 20] [--connections 2]` copies the bench database (bench/datagen.py, 100k contacts;
or the file given) to a temporary folder (for PostgreSQL: into a throwaway cluster with `crm db
copy`, bench/postgres.py), signs one customer in through the portal's own services, starts
`crm portal serve` on 127.0.0.1 and drives `GET /me` with Debian's `wrk` (loopback only,
bounded in time) while a `crm notes add` runs every 0.2 s against the same database. Prints
one line per backend, with the load average before and after (the machine may be shared);
docs/portal.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datagen
import postgres

from tinycrm.config import load_settings
from tinycrm.portal.app import SESSION_KEY, create_app
from tinycrm.services import portal
from tinycrm.store import Store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a bench database to copy (default: generated)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="the server's threads")
    opts = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed: apt-get install wrk")
        return 1
    source = opts.db or datagen.prepare(want_tasks=False).db
    crm = Path(sys.executable).with_name("crm")
    with tempfile.TemporaryDirectory(prefix="portal-load-") as folder:
        work = Path(folder)
        db = work / "crm.db"
        shutil.copyfile(source, db)
        Store.open(db).close()  # at this tinycrm's schema, as `crm db copy` needs it
        config = work / "config.toml"
        config.write_text(
            '[smtp]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\n'
            'from = "Bench <bench@example.com>"\n[portal]\nbase_url = "http://127.0.0.1"\n'
        )
        config.chmod(0o600)
        env = {**os.environ, "CRM_CONFIG": str(config)}
        os.environ.update(CRM_CONFIG=str(config))
        if opts.backend in ("sqlite", "both"):
            print(measure(wrk, crm, "SQLite", db, env, opts), flush=True)
        if opts.backend in ("postgresql", "both"):
            print(on_postgresql(wrk, crm, db, env, opts), flush=True)
    return 0


def on_postgresql(
    wrk: str, crm: Path, db: Path, env: dict[str, str], opts: argparse.Namespace
) -> str:
    """The same measurement on a throwaway cluster holding a `crm db copy` of the file."""
    reason = postgres.missing_reason()
    if reason is not None:
        return f"portal GET /me on PostgreSQL: not run ({reason})"
    with postgres.server() as cluster:
        url = cluster.url(postgres.DATABASE)
        copied = postgres.copy(crm, db, url, env)
        if copied.returncode != 0:
            return f"portal GET /me on PostgreSQL: the copy failed: {copied.error_line}"
        return measure(wrk, crm, "PostgreSQL", url, env, opts)


def measure(
    wrk: str, crm: Path, backend: str, db: Path | str, env: dict[str, str], opts: argparse.Namespace
) -> str:
    """Serve the database at `db`, drive it with wrk while the CLI writes: one line."""
    env = {**env, "CRM_DB": str(db)}
    cookie, contact_id, contacts = sign_in(db)
    port = free_port()
    server = subprocess.Popen(
        [crm, "portal", "serve", "--port", str(port), "--threads", str(opts.threads)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    writer = None
    try:
        wait_for(port)
        load_before = os.getloadavg()[0]
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(crm), str(contact_id), str(opts.seconds)],
            env=env,
        )
        done = subprocess.run(
            [wrk, "-t2", f"-c{opts.connections}", f"-d{opts.seconds}s", "--latency",
             "-H", f"Cookie: portal={cookie}", f"http://127.0.0.1:{port}/me"],
            capture_output=True, text=True, timeout=opts.seconds + 60, check=True,
        )  # fmt: skip
        writes = writer.wait(timeout=opts.seconds + 60)
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if writer is not None and writer.poll() is None:
            writer.kill()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
    p50_ms, p99_ms = percentile(done.stdout, "50%"), percentile(done.stdout, "99%")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    return (
        f"portal GET /me on {backend}, {contacts:,} contacts, {opts.connections} connections,"
        f" {opts.threads} server threads, CLI writing (exit {writes}):"
        f" {rate:.0f} views/s, p50 {p50_ms:.1f} ms, p99 {p99_ms:.1f} ms,"
        f" {errors.group(1) if errors else 0} errors; load average {load_before:.1f} before,"
        f" {load_after:.1f} after (target: 200 views/s, p99 < 100 ms)"
    )


def percentile(report: str, which: str) -> float:
    """A latency from wrk's --latency table, in ms."""
    found = re.search(rf"{which}\s+([\d.]+)(us|ms|s)\b", report)
    assert found is not None, report
    return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]


# A note added every 0.2 s for the run's length: the CLI writing beside the portal.
WRITER = """
import subprocess, sys, time
crm, contact, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.monotonic() + seconds
while time.monotonic() < end:
    subprocess.run([crm, "notes", "add", contact, "bench: a call while the portal serves"],
                   check=True, capture_output=True)
    time.sleep(0.2)
"""


def sign_in(db: Path | str) -> tuple[str, int, int]:
    """A signed-in customer's session cookie, their id, and the number of contacts."""
    store = Store.open(db)
    now = datetime.now(UTC)
    row = store.db.conn.execute(
        "SELECT contact_id, email FROM contact_emails ORDER BY contact_id LIMIT 1"
    ).fetchone()
    contacts = int(store.db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0])
    link = portal.request_sign_in(store, row[1], "bench", now)
    assert link is not None
    secret = portal.sign_in(store, link.token, now)
    store.close()
    app = create_app(db, load_settings(), base_url="http://127.0.0.1")
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return str(serializer.dumps({SESSION_KEY: secret, "_permanent": True})), int(row[0]), contacts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("crm portal serve did not start")


if __name__ == "__main__":
    raise SystemExit(main())
