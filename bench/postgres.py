"""The PostgreSQL part of `make bench`: the bench database on a throwaway server.

A cluster is started from the installed PostgreSQL binaries (tests/pgcluster.py, the same code
as the tests' cluster, but with a server's default durability and buffers), the 100k bench
database is copied into it with `crm db copy` (timed: issue 15's 2-minute target), and the
PostgreSQL rows then run against it. The round trip copies it back into a new SQLite file
(timed) and compares the full JSON exports (`crm contacts export --format json`) of the original
and of the file it came back as, record by record: every contact must be identical. Each export
(~925 MB at 100k) is read from its pipe and kept as one digest per record, never as a file.

The growth table (`bench/run.py --scale 1m`) runs the paged rows on PostgreSQL too, on servers
whose data directories are cached in .bench-cache (`pg-v2-100k/`, `pg-v2-1m/`, keyed like the
SQLite files they are copied from): built once (the 1M copy takes ~15 min), started per run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import datagen  # noqa: E402
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


@contextmanager
def cached_server(crm: Path, data: datagen.BenchData, env: dict[str, str]) -> Iterator[str]:
    """A server holding the bench database `data` (its URL is yielded), its data directory
    kept in .bench-cache: copied with `crm db copy` and vacuumed the first time (so no
    autovacuum runs among the timings), started again later. A copy that did not finish
    leaves no `copied` mark and is made again."""
    base = datagen.CACHE / f"pg-{data.db.name.removeprefix('crm-').removesuffix('.db')}"
    done = base / "copied"
    if base.exists() and not done.exists():
        shutil.rmtree(base)
    cluster = pgcluster.start(durable=True, base=base)
    try:
        url = cluster.url(DATABASE)
        if not done.exists():
            print(f"copying {data.db.name} into a PostgreSQL cluster kept in {base.name}/ …")
            cluster.psql(f"CREATE DATABASE {DATABASE}")
            sample = copy(crm, data.db, url, env)
            if sample.returncode:
                raise RuntimeError(f"the copy into PostgreSQL failed: {sample.error_line}")
            cluster.psql("VACUUM (ANALYZE)", DATABASE)
            done.write_text(f"{sample.ms / 1000:.0f} s\n")
            print(f"  copied in {sample.ms / 1000:.0f} s")
        yield url
    finally:
        cluster.stop(keep=True)


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
    of the original and of the file it came back as, record by record (PostgreSQL's own
    export lists a record's columns in its tables' order, which differs): lines to print."""
    url = cluster.url(DATABASE)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        back = Path(tmp) / "back.db"
        server_before = server_cpu_s(cluster)
        sample = copy(crm, url, back, env)
        if sample.returncode != 0:
            return [f"round trip: the copy back to SQLite failed: {sample.error_line}"]
        server = server_cpu_s(cluster) - server_before
        lines = [cpu_line("round trip: db copy PostgreSQL -> SQLite", sample, server)]
        digests = {}
        for label, location in (("original", original), ("back", back)):
            argv = [str(crm), "--db", str(location), "contacts", "export", "--format", "json"]
            digests[label] = record_digests(argv, env)
            if isinstance(digests[label], str):
                return [*lines, f"round trip: the export of {label} failed: {digests[label]}"]
        expected, found = digests["original"], digests["back"]
        assert isinstance(expected, list) and isinstance(found, list)
        difference = first_difference(expected, found)
        contacts = sum(label.startswith("contact ") for label, _ in expected)
        same = f"identical ({contacts:,} contacts, every row of each)"
        lines.append(f"round trip: back in SQLite: {difference or same}")
        return lines


def record_digests(argv: list[str], env: dict[str, str]) -> list[tuple[str, str]] | str:
    """A JSON export read from its pipe a line at a time, as (record, SHA-256 of its lines)
    per company or contact (the time of export left out); or the export's error line."""
    records: list[tuple[str, str]] = []
    label, digest = "the header", hashlib.sha256()
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, encoding="utf-8") as export:  # fmt: skip
        assert export.stdout is not None and export.stderr is not None
        for line in export.stdout:
            if line.startswith('      "id": '):  # a company's or contact's first key
                records.append((label, digest.hexdigest()))
                label, digest = (
                    f"the record with id {line.split(':', 1)[1].strip(' ,')}",
                    (hashlib.sha256()),
                )
            elif line.startswith('      "referred_by_uid": '):  # only a contact has it
                label = label.replace("the record", "contact", 1)
            if not line.lstrip().startswith('"exported_at"'):
                digest.update(line.encode())
        records.append((label, digest.hexdigest()))
        error = export.stderr.read().strip()
    if export.returncode:
        return error.splitlines()[0] if error else f"exit code {export.returncode}"
    return records


def first_difference(expected: list[tuple[str, str]], found: list[tuple[str, str]]) -> str | None:
    """The first record in which two exports differ (None: identical but for the time)."""
    for (label, one), (_, other) in zip(expected, found, strict=False):
        if one != other:
            return f"{label} differs"
    if len(expected) != len(found):
        return f"one export has {abs(len(expected) - len(found)):,} more records"
    return None
