"""Timing whole processes: wall time and peak RSS of one child, from `os.wait4`."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SPAWN = Path(__file__).with_name("spawn.py")


@dataclass(frozen=True)
class Sample:
    ms: float
    rss_mb: float
    returncode: int
    stderr: str
    cpu_ms: float = 0.0  # user + system time of the command
    stdout_tail: str = ""  # the last 4 KiB of stdout (the TUI rows read their figures there)

    @property
    def error_line(self) -> str:
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[0] if lines else f"exit code {self.returncode}"


def run_once(argv: Sequence[str], env: dict[str, str] | None = None) -> Sample:
    """Run a command with stdout to a pipe (drained) and stderr to a file.

    bench/spawn.py starts it and measures wall time (spawn to exit) and peak RSS (`os.wait4`);
    see there why the bench does not spawn the command itself.
    """
    fd, report = tempfile.mkstemp(prefix="spawn-", suffix=".txt")
    os.close(fd)
    try:
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(SPAWN), report, *argv],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
            )
            assert proc.stdout is not None
            tail = b""
            while chunk := proc.stdout.read(1 << 16):
                tail = (tail + chunk)[-4096:]
            returncode = proc.wait()
            err.seek(0)
            stderr = err.read(4096).decode("utf-8", "replace")
        fields = Path(report).read_text().split()
    finally:
        os.unlink(report)
    if len(fields) != 3:
        return Sample(0.0, 0.0, returncode or 1, stderr or "the command could not be timed")
    ms, rss_kib, cpu_ms = float(fields[0]), int(fields[1]), float(fields[2])
    out = tail.decode("utf-8", "replace")
    return Sample(ms, rss_kib / 1024, returncode, stderr, cpu_ms, out)  # ru_maxrss is in KiB


@dataclass
class Paired:
    """Samples of a command A and, optionally, of a reference B taken alternately."""

    a: list[Sample] = field(default_factory=list)
    b: list[Sample] = field(default_factory=list)

    @property
    def a_ms(self) -> float:
        return statistics.median(s.ms for s in self.a)

    @property
    def b_ms(self) -> float | None:
        return statistics.median(s.ms for s in self.b) if self.b else None

    @property
    def ratio(self) -> float | None:
        """Median of the per-pair ratios A_i / B_i (robust to drift across the run)."""
        if not self.b:
            return None
        return statistics.median(a.ms / b.ms for a, b in zip(self.a, self.b, strict=False))

    @property
    def rss_mb(self) -> float:
        return max(s.rss_mb for s in self.a)

    @property
    def failed(self) -> Sample | None:
        return next((s for s in self.a if s.returncode != 0), None)


def measure(
    make_a: Callable[[], Sample],
    make_b: Callable[[], Sample] | None,
    runs: int,
) -> Paired:
    """A B A B …; stops early when A fails (the row is then unavailable)."""
    result = Paired()
    for _ in range(runs):
        sample = make_a()
        result.a.append(sample)
        if sample.returncode != 0:
            break
        if make_b is not None:
            result.b.append(make_b())
    return result


@dataclass
class Growth:
    """Samples of one command on the small and the big data set (and of `task next`), taken
    alternately: the median of the per-round ratios is the command's growth."""

    small: list[Sample] = field(default_factory=list)
    big: list[Sample] = field(default_factory=list)
    task: list[Sample] = field(default_factory=list)

    @property
    def small_ms(self) -> float:
        return statistics.median(s.ms for s in self.small)

    @property
    def big_ms(self) -> float:
        return statistics.median(s.ms for s in self.big)

    @property
    def growth(self) -> float:
        return statistics.median(b.ms / s.ms for b, s in zip(self.big, self.small, strict=False))

    @property
    def task_ratio(self) -> float | None:
        """The big data set's time against `task next`, as the main table's ratio."""
        if not self.task:
            return None
        return statistics.median(b.ms / t.ms for b, t in zip(self.big, self.task, strict=False))

    @property
    def rss_mb(self) -> float:
        return max(s.rss_mb for s in self.big)

    @property
    def failed(self) -> Sample | None:
        return next((s for s in (*self.small, *self.big) if s.returncode != 0), None)


def measure_growth(
    make_small: Callable[[], Sample],
    make_big: Callable[[], Sample],
    make_task: Callable[[], Sample] | None,
    runs: int,
) -> Growth:
    """small big task, small big task, …; stops early when a run fails."""
    result = Growth()
    for _ in range(runs):
        result.small.append(make_small())
        result.big.append(make_big())
        if result.failed is not None:
            break
        if make_task is not None:
            result.task.append(make_task())
    return result
