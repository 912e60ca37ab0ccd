"""The `crm` console script: the garbage collector held off while the command loads.

Typer and tinycrm's modules allocate tens of thousands of long-lived objects on import, and
Python's cyclic garbage collector runs dozens of times meanwhile, finding nothing to free:
about 5 ms of a 150 ms command (docs/benchmarks.md). So it is off until the command's code is
loaded (`resume_collection`, called once the sub-command is built); everything allocated by
then is frozen out of its sight, and it is back on for the command itself, which may be a
long TUI session or a large import. Kept apart from `cli.app` because it must run before
Typer is imported.
"""

from __future__ import annotations

import gc
import sys

from tinycrm.cli import head_start


def main() -> None:
    gc.disable()
    head_start.begin(sys.argv[1:])
    from tinycrm.cli.app import main as run_crm

    run_crm()


def resume_collection() -> None:
    """Turn the collector back on if `main` turned it off, leaving what exists alone."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
