"""Writing export files so that only their owner can read them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tinycrm.errors import NotFound, UsageError


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` with mode 0600, atomically (a temporary file renamed over it)."""
    if not path.name or path.is_dir():
        raise UsageError(f"not a file name: {str(path)!r} (give a file to write, e.g. -o out.ics)")
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except FileNotFoundError:
        raise NotFound(f"no such directory: {directory}") from None
    except OSError as exc:
        raise NotFound(f"cannot write in {directory}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
