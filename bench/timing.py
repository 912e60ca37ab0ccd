"""Timing whole processes: wall time and peak RSS of one child, from `os.wait4`."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    ms: float
    rss_mb: float
    returncode: int
    stderr: str

    @property
    def error_line(self) -> str:
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[0] if lines else f"exit code {self.returncode}"


def run_once(argv: Sequence[str], env: dict[str, str] | None = None) -> Sample:
    """Run a command with stdout to a pipe (drained), stderr to a file; time it to exit."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env
        )
        assert proc.stdout is not None
        while proc.stdout.read(1 << 16):
            pass
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        proc.stdout.close()
        err.seek(0)
        stderr = err.read(4096).decode("utf-8", "replace")
    # Linux reports ru_maxrss in KiB.
    return Sample(elapsed * 1000, usage.ru_maxrss / 1024, proc.returncode, stderr)


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
