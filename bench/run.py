"""`make bench`: time cold `crm` commands at scale against taskwarrior's `task next`.

Each row is a whole new process (`crm --db BENCH_DB …`, stdout to a pipe), run N times
alternately with `task next` over 10,000 tasks (A B A B …). Absolute times drift on a shared
machine; the median of the paired ratios holds. Rows live in bench/rows.py. The PostgreSQL
rows run on a copy of the bench database in a throwaway server (bench/postgres.py), then the
round trip back to SQLite is checked (not with --quick). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datagen
import postgres
from rows import ROWS, Row, on_postgresql
from timing import Growth, Paired, Sample, measure, measure_growth, run_once

ROOT = datagen.ROOT
HERE = Path(__file__).resolve().parent
DEFAULT_RUNS = 7
QUICK_RUNS = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="runs per row (7)")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_RUNS} runs per row, no round trip"
    )
    parser.add_argument("--only", metavar="PATTERN", help="rows whose name matches (regex)")
    parser.add_argument("--no-task", action="store_true", help="absolute timings only")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached data")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    parser.add_argument(
        "--scale",
        choices=[name for name in datagen.SCALES if name != "100k"],
        help="the growth table instead: each paged row on this data set against the 100k one",
    )
    opts = parser.parse_args(argv)
    runs = QUICK_RUNS if opts.quick else max(1, opts.runs)
    only = re.compile(opts.only, re.IGNORECASE) if opts.only else None
    rows = [r for r in ROWS if only is None or only.search(r.name)]
    if opts.list:
        for r in ROWS:
            what = {
                "tui": f"python bench/tui_ready.py DB … ({r.metric})",
                "copy": "crm db copy BENCH_DB POSTGRESQL_URL --replace",
            }.get(r.kind, "crm " + " ".join(r.args))
            print(f"{r.name:34} issue {r.issue}  {what}")
        return 0

    bin_dir = Path(sys.executable).parent
    crm = bin_dir / "crm"
    if not crm.exists():
        print(f"no crm next to {sys.executable}: run `make bench` (it installs the venv)")
        return 1
    task = None if opts.no_task else shutil.which("task")
    out = Report()
    if task is None and not opts.no_task:
        out.line("taskwarrior's `task` is not installed, so there are no ratios, only absolute")
        out.line("timings. To get it: `sudo apt-get install taskwarrior` (Debian/Ubuntu), or")
        out.line("`brew install task` (macOS). Nothing was installed.")
        out.line("")

    data = datagen.prepare(regenerate=opts.regenerate, want_tasks=task is not None)
    env = _crm_env()
    _compile_bytecode()
    task_env = {**env, "TASKRC": str(data.taskrc), "TASKDATA": str(data.taskdata)}
    task_argv = [task, "rc.verbose=nothing", "rc.confirmation=off", "next"] if task else None
    task_once = partial(run_once, task_argv, task_env) if task_argv else None
    fill = _fill(data)

    out.line(f"tinycrm bench, {datetime.now():%Y-%m-%d %H:%M}, {platform.node()}")
    out.line(
        f"python {platform.python_version()}, sqlite {_sqlite()}, {_version(['typer'])},"
        f" {_task_version(task)}; {runs} runs per row, medians"
    )
    out.line(_describe(data.meta))
    if opts.scale:
        big = datagen.prepare(regenerate=opts.regenerate, want_tasks=False, scale=opts.scale)
        out.line(_describe(big.meta))
        grown = [r for r in ROWS if r.growth is not None and r.backend == "sqlite"]
        grown += [on_postgresql(r) for r in grown if r.db == "bench"]
        grown = [r for r in grown if only is None or only.search(r.name)]
        return _growth_table(out, grown, crm, env, (data, big), task_once, runs)
    if task_once is not None:
        task_once()  # warm the page cache
    run_once([str(crm), "--db", str(data.db), "contacts", "show", "1"], env)

    if only is None or only.search("floor"):
        out.line("")
        py = str(bin_dir / "python")
        for label, cmd in [
            ("python -c pass", [py, "-c", "pass"]),
            ('python -c "import sqlite3"', [py, "-c", "import sqlite3"]),
            ("crm --version", [str(crm), "--version"]),
            # What every PostgreSQL row pays before its first query (the pg: rows' floor).
            ('python -c "import psycopg"', [py, "-c", "import psycopg"]),
        ]:
            result = measure(partial(run_once, cmd, env), task_once, runs)
            ratio = f"  ({result.ratio:.2f}x task next)" if result.ratio else ""
            out.line(f"floor: {label:28} {result.a_ms:6.0f} ms {result.rss_mb:5.1f} MiB{ratio}")

    measure_row = partial(_measure_row, out, crm, env, fill, task_once, runs)
    on_file = [r for r in rows if r.backend == "sqlite"]
    on_server = [r for r in rows if r.backend == "postgresql"]
    if on_file:
        out.line("")
        out.table_header()
    verdicts = [measure_row(r, data.db) for r in on_file]
    if on_server:
        verdicts += _on_postgresql(out, measure_row, on_server, crm, data.db, env, opts.quick)
    out.line("")
    out.line(
        f"{verdicts.count('pass')} pass, {sum(v.startswith('FAIL') for v in verdicts)} fail,"
        f" {verdicts.count('unavailable')} unavailable, {verdicts.count('-')} without a target"
    )
    last = datagen.CACHE / "last.txt"
    last.write_text("\n".join(out.lines) + "\n")
    print(f"(written to {last.relative_to(ROOT)})")
    return 0


def _describe(meta: dict[str, Any]) -> str:
    return (
        f"data: {meta['rows']['contacts']:,} contacts, {meta['rows']['notes']:,} notes,"
        f" {meta['rows']['follow_ups']:,} follow-ups, {meta['rows']['sales']:,} sales,"
        f" {meta['size_mb']} MB; as of {meta['as_of']};"
        f" '{meta['common_word']}' in {meta['common_word_docs']:,} notes,"
        f" '{meta['rare_word']}' in {meta['rare_word_docs']}, tag '{meta['tag']}' on"
        f" {meta['tag_contacts']:,} contacts"
    )


def _fill(data: datagen.BenchData) -> dict[str, str]:
    return {
        **{k: str(v) for k, v in data.meta.items() if not isinstance(v, dict)},
        "second_word": datagen.second_word(),
        "vcard": str(data.vcard),
        "csv": str(data.csv),
    }


def _growth_table(
    out: Report,
    rows: list[Row],
    crm: Path,
    env: dict[str, str],
    sets: tuple[datagen.BenchData, datagen.BenchData],
    task_once: Callable[[], Sample] | None,
    runs: int,
) -> int:
    """Each row on the 100k and the big data set alternately (with `task next` after each
    pair): the median of the paired ratios against the row's `growth` limit, and memory.
    The PostgreSQL rows run on the two data sets' cached servers (bench/postgres.py)."""
    small, big = sets
    on_file = [r for r in rows if r.backend == "sqlite"]
    on_server = [r for r in rows if r.backend == "postgresql"]
    if on_server and (reason := postgres.missing_reason()):
        out.line(f"PostgreSQL rows skipped: {reason}")
        on_server = []
    size = f"{big.meta['rows']['contacts'] // 1000:,}k".replace("1,000k", "1M")
    out.line("")
    out.line(f"growth: each row at {size} contacts against 100k (imports: {size} CSV rows against")
    out.line("100k, into an empty database); 'x task' is the big run against `task next`")
    out.line("")
    out.line(GrowthReport.header())
    measure_row = partial(_measure_growth, out, crm, env, (_fill(small), _fill(big)), task_once,
                          runs)  # fmt: skip
    verdicts = [measure_row(r, (small.db, big.db)) for r in on_file]
    if on_server:
        with (
            postgres.cached_server(crm, small, env) as small_url,
            postgres.cached_server(crm, big, env) as big_url,
        ):
            verdicts += [measure_row(r, (small_url, big_url)) for r in on_server]
    out.line("")
    out.line(
        f"{verdicts.count('pass')} pass, {sum(v.startswith('FAIL') for v in verdicts)} fail,"
        f" {verdicts.count('unavailable')} unavailable"
    )
    last = datagen.CACHE / "last-growth.txt"
    last.write_text("\n".join(out.lines) + "\n")
    print(f"(written to {last.relative_to(ROOT)})")
    return 0


def _measure_growth(
    out: Report,
    crm: Path,
    env: dict[str, str],
    fills: tuple[dict[str, str], dict[str, str]],
    task_once: Callable[[], Sample] | None,
    runs: int,
    r: Row,
    databases: tuple[Path | str, Path | str],
) -> str:
    """Row `r` on the 100k and the big database (files or URLs) alternately: its line."""
    make_small = _runner(r, crm, databases[0], env, fills[0])
    make_big = _runner(r, crm, databases[1], env, fills[1])
    if r.db == "bench":
        make_small(), make_big()  # warm-up, not counted
    limit = min(runs, r.max_runs) if r.max_runs else runs
    result = measure_growth(make_small, make_big, task_once, limit)
    verdict, line = GrowthReport.row(r, result)
    out.line(line)
    return verdict


class GrowthReport:
    """The growth table's lines."""

    COLUMNS = ("row", "100k ms", "big ms", "growth", "target", "x task", "peak MiB", "result")
    WIDTHS = (35, 7, 7, 6, 6, 6, 8, 14)

    @classmethod
    def _cells(cls, cells: tuple[str, ...]) -> str:
        parts = [
            c.ljust(w) if i in (0, len(cells) - 1) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, cls.WIDTHS, strict=True))
        ]
        return "| " + " | ".join(parts) + " |"

    @classmethod
    def header(cls) -> str:
        rule = cls._cells(tuple("-" * max(w, 6) for w in cls.WIDTHS))
        return cls._cells(cls.COLUMNS) + "\n" + rule

    @classmethod
    def row(cls, r: Row, result: Growth) -> tuple[str, str]:
        failed = result.failed
        if failed is not None:
            return "unavailable", f"| {r.name:35} | unavailable: {failed.error_line[:90]} |"
        assert r.growth is not None
        problems = []
        if result.growth > r.growth:
            problems.append("growth")
        if result.rss_mb > r.max_mem_mb:
            problems.append("memory")
        verdict = f"FAIL ({', '.join(problems)})" if problems else "pass"
        task_ratio = result.task_ratio
        cells = (
            r.name,
            f"{result.small_ms:.0f}",
            f"{result.big_ms:.0f}",
            f"{result.growth:.2f}",
            f"<={r.growth:g}x",
            f"{task_ratio:.2f}" if task_ratio is not None else "-",
            f"{result.rss_mb:.1f}",
            verdict,
        )
        return verdict, cls._cells(cells)


def _measure_row(
    out: Report,
    crm: Path,
    env: dict[str, str],
    fill: dict[str, str],
    task_once: Callable[[], Sample] | None,
    runs: int,
    r: Row,
    db: Path | str,
) -> str:
    """Time row `r` on the database `db` (a file or a URL), print it; its verdict."""
    make = _runner(r, crm, db, env, fill)
    limit = min(runs, r.max_runs) if r.max_runs else runs
    if r.db == "bench":
        make()  # warm-up, not counted
    result = measure(make, task_once if r.paired else None, limit)
    return out.table_row(r, result)


def _on_postgresql(
    out: Report,
    measure_row: Callable[[Row, Path | str], str],
    rows: list[Row],
    crm: Path,
    db: Path,
    env: dict[str, str],
    quick: bool,
) -> list[str]:
    """The PostgreSQL rows: the bench database copied into a throwaway server (the copy's
    row is shown whichever rows were chosen: the others need it), then the round trip."""
    out.line("")
    reason = postgres.missing_reason()
    if reason:
        out.line(f"PostgreSQL rows skipped: {reason}")
        return ["unavailable"] * len(rows)
    with postgres.server() as cluster:
        url = cluster.url(postgres.DATABASE)
        out.line(postgres.describe(cluster))
        out.table_header()
        copy_row = next(r for r in ROWS if r.kind == "copy")
        server_before = postgres.server_cpu_s(cluster)
        copied = measure(partial(postgres.copy, crm, db, url, env), None, 1)
        server = postgres.server_cpu_s(cluster) - server_before
        verdicts = [out.table_row(copy_row, copied)]
        if verdicts[0] == "unavailable":
            return verdicts + ["unavailable"] * (len(rows) - 1)
        verdicts += [measure_row(r, url) for r in rows if r.kind != "copy"]
        out.line("")
        out.line(postgres.cpu_line("db copy SQLite -> PostgreSQL", copied.a[0], server))
        if quick:
            out.line("round trip: not with --quick")
        else:
            for line in postgres.round_trip(crm, db, cluster, env, datagen.CACHE):
                out.line(line)
    return verdicts


def _runner(
    r: Row, crm: Path, db: Path | str, env: dict[str, str], fill: dict[str, str]
) -> Callable[[], Sample]:
    args = [a.format(**fill) for a in r.args]
    if r.kind == "tui":
        argv = [sys.executable, str(HERE / "tui_ready.py"), str(db), "--as-of", fill["as_of"],
                "--customer", fill["show_ref"]]  # fmt: skip
        return partial(_tui_figure, argv, env, r.metric)
    if r.db == "bench":
        return partial(run_once, [str(crm), "--db", str(db), *args], env)

    def fresh_database() -> Sample:
        with tempfile.TemporaryDirectory(dir=datagen.CACHE) as tmp:
            return run_once([str(crm), "--db", str(Path(tmp) / "crm.db"), *args], env)

    return fresh_database


def _tui_figure(argv: list[str], env: dict[str, str], metric: str) -> Sample:
    """Run bench/tui_ready.py; the sample's time is its `metric` (the process's wall time
    includes start-up and teardown around it), its memory the process's peak."""
    import dataclasses
    import json

    sample = run_once(argv, env)
    if sample.returncode != 0:
        return sample
    try:
        figures = json.loads(sample.stdout_tail.strip().splitlines()[-1])
        return dataclasses.replace(sample, ms=float(figures[metric]))
    except (IndexError, ValueError, KeyError):
        return dataclasses.replace(sample, returncode=1, stderr=f"no {metric} in the output")


class Report:
    """Prints as it goes and keeps the lines for .bench-cache/last.txt."""

    COLUMNS = ("row", "crm ms", "task ms", "ratio", "target", "peak MiB", "result")
    WIDTHS = (31, 7, 7, 6, 8, 8, 14)

    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, text: str) -> None:
        print(text, flush=True)
        self.lines.append(text)

    def _cells(self, cells: tuple[str, ...]) -> str:
        parts = [
            c.ljust(w) if i in (0, len(cells) - 1) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, self.WIDTHS, strict=True))
        ]
        return "| " + " | ".join(parts) + " |"

    def table_header(self) -> None:
        self.line(self._cells(self.COLUMNS))
        self.line(self._cells(tuple("-" * max(w, 6) for w in self.WIDTHS)))

    def table_row(self, r: Row, result: Paired) -> str:
        failed = result.failed
        if failed is not None:
            self.line(f"| {r.name:31} | unavailable: {failed.error_line[:90]} |")
            return "unavailable"
        ratio = result.ratio
        problems = []
        if r.target is not None and ratio is not None and ratio > r.target:
            problems.append("ratio")
        if r.goal_ms is not None and result.a_ms > r.goal_ms:
            problems.append("time")
        if result.rss_mb > r.max_mem_mb:
            problems.append("memory")
        has_target = r.goal_ms is not None or (r.target is not None and ratio is not None)
        verdict = f"FAIL ({', '.join(problems)})" if problems else "pass" if has_target else "-"
        target = (
            f"<={r.target:g}x"
            if r.target is not None
            else f"<={r.goal_ms / 1000:g} s"
            if r.goal_ms is not None
            else "-"
        )
        b_ms = result.b_ms
        self.line(
            self._cells(
                (
                    r.name,
                    f"{result.a_ms:.0f}",
                    f"{b_ms:.0f}" if b_ms is not None else "-",
                    f"{ratio:.2f}" if ratio is not None else "-",
                    target,
                    f"{result.rss_mb:.1f}",
                    verdict if verdict != "-" else f"- (mem <{r.max_mem_mb:g} ok)",
                )
            )
        )
        return verdict


def _crm_env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env["CRM_CONFIG"] = str(datagen.CACHE / "no-config.toml")  # the user's config stays out
    env["NO_COLOR"] = "1"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def _compile_bytecode() -> None:
    """Byte-compile tinycrm as `pip install` does: an editable install under
    PYTHONDONTWRITEBYTECODE (set on some machines) would otherwise recompile every module on
    every run and time the compiler, not tinycrm."""
    import compileall

    import tinycrm

    compileall.compile_dir(Path(tinycrm.__file__).parent, quiet=1)


def _sqlite() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _version(dist: list[str]) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{dist[0]} {version(dist[0])}"
    except PackageNotFoundError:
        return f"{dist[0]} ?"


def _task_version(task: str | None) -> str:
    if task is None:
        return "no taskwarrior"
    done = subprocess.run([task, "--version"], capture_output=True, text=True, check=False)
    return f"taskwarrior {done.stdout.strip()}"


if __name__ == "__main__":
    sys.exit(main())
