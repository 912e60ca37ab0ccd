"""Start the TUI headless on a database and exit as soon as the queue screen is mounted.

Usage: python bench/tui_ready.py DB. The bench times the whole process, so the figure is
"process start → queue ready". Exit codes: 0 ready, 3 no TUI yet, 4 no queue within 30 s.

Finding the app: `tinycrm.tui` may offer `bench_app(db_path) -> App` (preferred; the TUI owns
how it is built), else the first `textual.app.App` subclass in `tinycrm.tui` or
`tinycrm.tui.app`, built with the database given by the `store`, `db_path`, `path` or `db`
parameter, or by CRM_DB. "Ready" is when a screen or widget whose class name contains "Queue"
is mounted and the app has processed its pending messages; `tinycrm.tui` may override that
with `bench_ready(app) -> bool`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import os
import sys
from typing import Any

TIMEOUT_S = 30.0


def _fail(code: int, message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    os._exit(code)


def _find_app(db_path: str) -> Any:
    try:
        tui = importlib.import_module("tinycrm.tui")
    except ModuleNotFoundError:
        _fail(3, "tinycrm.tui does not exist yet (issue 6)")
    if hasattr(tui, "bench_app"):
        return tui.bench_app(db_path)
    from textual.app import App

    modules = [tui]
    with contextlib.suppress(ModuleNotFoundError):
        modules.append(importlib.import_module("tinycrm.tui.app"))
    for module in modules:
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, App) and value is not App:
                return _build(value, db_path)
    _fail(3, "no textual App class found in tinycrm.tui")
    return None


def _build(cls: type, db_path: str) -> Any:
    params = inspect.signature(cls).parameters
    if "store" in params:
        from tinycrm.store import Store

        return cls(store=Store.open(db_path))
    for name in ("db_path", "path", "db"):
        if name in params:
            return cls(**{name: db_path})
    return cls()


def _ready(app: Any) -> bool:
    custom = getattr(sys.modules.get("tinycrm.tui"), "bench_ready", None)
    if custom is not None:
        return bool(custom(app))
    nodes = [app.screen, *app.screen.query("*")]
    return any("Queue" in type(node).__name__ for node in nodes)


async def _main(db_path: str) -> None:
    app = _find_app(db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT_S
        while loop.time() < deadline:
            await pilot.pause()
            if _ready(app):
                sys.stdout.write("ready\n")
                sys.stdout.flush()
                os._exit(0)  # skip teardown: the row measures time to ready
            await asyncio.sleep(0.005)
    _fail(4, f"no queue screen mounted within {TIMEOUT_S:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        _fail(2, "usage: tui_ready.py DB")
    os.environ["CRM_DB"] = sys.argv[1]
    asyncio.run(_main(sys.argv[1]))
