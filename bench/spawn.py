"""Run one command and report its wall time and peak RSS: `spawn.py OUT CMD ARGS...`.

A separate small process does the spawning because a child's max RSS (`ru_maxrss`) includes the
memory of the process that forked it, up to its exec: measured from the bench itself (which may
have just generated 400 MB of data), every row would show at least the bench's own footprint.
Started with `python -I -S`, this helper is ~8 MiB, which is below any Python command's own peak.
Writes "<wall ms> <max rss KiB> <cpu ms>" to OUT and exits with the command's exit code.
"""

import os
import sys
import time

out, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
try:
    pid = os.posix_spawnp(argv[0], argv, os.environ)
except OSError as exc:
    sys.stderr.write(f"{argv[0]}: {exc.strerror}\n")
    sys.exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - started
with open(out, "w") as handle:
    cpu = usage.ru_utime + usage.ru_stime
    handle.write(f"{elapsed * 1000:.3f} {usage.ru_maxrss} {cpu * 1000:.3f}\n")
sys.exit(os.waitstatus_to_exitcode(status))
