"""The PostgreSQL part of `make bench`: the bench database on a throwaway server.

A cluster is started from the installed PostgreSQL binaries (tests/pgcluster.py, the same code
as the tests' cluster, but with a server's default durability and buffers), the 100k bench
database is copied into it with `crm db copy` (timed: issue 15's 2-minute target), and the
PostgreSQL rows then run against it. The round trip copies it back into a new SQLite file and
compares a full JSON export (`crm contacts export --format json`) of the original with one of
the file it came back as: every contact must be identical.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from timing import Sample, run_once  # noqa: E402

import pgcluster  # noqa: E402  (tests/pgcluster.py, found through the line above)

DATABASE = "crm_bench"


def missing_reason() -> str | None:
    """Why the PostgreSQL rows cannot run here (None: they can)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    return pgcluster.missing_reason()


@contextmanager
def server() -> Iterator[pgcluster.Cluster]:
    """A throwaway cluster with an empty database DATABASE, removed afterwards."""
    cluster = pgcluster.start(durable=True)
    try:
        cluster.psql(f"CREATE DATABASE {DATABASE}")
        yield cluster
    finally:
        cluster.stop()


def describe(cluster: pgcluster.Cluster) -> str:
    settings = cluster.psql(
        "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)"
        " FROM pg_settings WHERE name IN ('fsync', 'shared_buffers', 'max_wal_size')"
    )
    version = cluster.psql("SHOW server_version").split()[0]
    return f"PostgreSQL {version}, a throwaway cluster on a Unix socket ({settings})"


def copy(crm: Path, source: Path | str, destination: Path | str, env: dict[str, str]) -> Sample:
    """`crm db copy SOURCE DESTINATION --replace`, timed."""
    argv = [str(crm), "db", "copy", str(source), str(destination), "--replace"]
    return run_once(argv, env)


def server_cpu_s(cluster: pgcluster.Cluster) -> float:
    """CPU seconds of the cluster's finished processes: the postmaster's reaped children, a
    connection's backend among them once it has closed."""
    time.sleep(0.5)  # the backend of a client that just exited is reaped a moment later
    pid = (cluster.base / "data" / "postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime


def cpu_line(what: str, sample: Sample, server_s: float) -> str:
    """What a copy cost in CPU: on a busy machine its wall time says more about the others."""
    return (
        f"{what}: {sample.ms / 1000:.1f} s, CPU {sample.cpu_ms / 1000:.1f} s in crm and"
        f" {server_s:.1f} s in PostgreSQL, peak {sample.rss_mb:.0f} MiB;"
        f" load average {os.getloadavg()[0]:.1f}"
    )


def round_trip(
    crm: Path, original: Path, cluster: pgcluster.Cluster, env: dict[str, str], cache: Path
) -> list[str]:
    """Copy PostgreSQL's database back into a new SQLite file and compare the JSON exports
    of the original and of the file it came back as, line by line (PostgreSQL's own export
    lists a record's columns in its tables' order, which differs): lines to print."""
    url = cluster.url(DATABASE)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        back = Path(tmp) / "back.db"
        server_before = server_cpu_s(cluster)
        sample = copy(crm, url, back, env)
        if sample.returncode != 0:
            return [f"round trip: the copy back to SQLite failed: {sample.error_line}"]
        server = server_cpu_s(cluster) - server_before
        lines = [cpu_line("round trip: db copy PostgreSQL -> SQLite", sample, server)]
        exports = {}
        for label, location in (("original", original), ("back", back)):
            target = Path(tmp) / f"{label}.json"
            done = run_once(
                [str(crm), "--db", str(location), "contacts", "export", "--format", "json",
                 "--output", str(target)],
                env,
            )  # fmt: skip
            if done.returncode != 0:
                return [*lines, f"round trip: the export of {label} failed: {done.error_line}"]
            exports[label] = target
        difference = first_difference(exports["original"], exports["back"])
        same = f"identical ({contacts(exports['original']):,} contacts, every row of each)"
        lines.append(f"round trip: back in SQLite: {difference or same}")
        return lines


def first_difference(expected: Path, found: Path) -> str | None:
    """The first line in which two exports differ, with the contact it belongs to (None:
    identical but for the time of export). Read a line at a time: a 100k-contact export is
    ~925 MB, far more once parsed."""
    record = "the header"
    with expected.open(encoding="utf-8") as mine, found.open(encoding="utf-8") as theirs:
        for number, (one, other) in enumerate(zip(mine, theirs, strict=False), start=1):
            if one.startswith('      "id": '):  # a company's or contact's first key
                record = f"the record with id {one.split(':', 1)[1].strip().rstrip(',')}"
            if one != other and not one.lstrip().startswith('"exported_at"'):
                return f"line {number} ({record}): {one.strip()[:70]} vs {other.strip()[:70]}"
        if mine.readline() or theirs.readline():
            return "one export is longer"
    return None


def contacts(export: Path) -> int:
    """The contacts in an export (only a contact has the key `referred_by_uid`)."""
    with export.open(encoding="utf-8") as lines:
        return sum(line.startswith('      "referred_by_uid": ') for line in lines)
