"""When the TUI meets a bug: the traceback goes to a log file of the user's, never the screen.

Textual prints a crash's traceback with its local variables (customer data, raw control
characters) on the terminal and the process still exits 0; `crm tui` instead exits 1 with one
line naming the log file.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path

from tinycrm.config import APP_NAME


def log_dir() -> Path:
    """platformdirs' user log directory (`~/.local/state/tinycrm/log` on Linux)."""
    import platformdirs

    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def write_log(error: BaseException | None) -> str:
    """Write `error`'s traceback to a new file readable only by the user; a sentence for the
    user naming it (or saying why there is none)."""
    name = type(error).__name__ if error else "unknown error"
    try:
        folder = log_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"tui-crash-{datetime.now():%Y%m%d-%H%M%S-%f}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as log:
            log.write("".join(traceback.format_exception(error)) if error else name)
    except OSError as exc:
        return f"the TUI stopped on an internal error ({name}); no log written: {exc}"
    return f"the TUI stopped on an internal error ({name}); the details are in {path}"
