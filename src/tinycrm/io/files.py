"""Writing export files so that only their owner can read them, never over the database."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from tinycrm.errors import Conflict, NotFound, UsageError


def write_private(path: Path, data: bytes | Iterable[bytes], *, never: Sequence[Path] = ()) -> int:
    """Write `data` (bytes, or chunks of them written as they come) to `path`; returns the
    number of bytes written. A new or regular file is replaced atomically (a temporary file,
    mode 0600, renamed over it); a link, a device or a pipe (`/dev/stdout`) is written through,
    never replaced. `never` (the database and its -wal/-shm) is refused, whatever the name."""
    if not path.name or path.is_dir():
        raise UsageError(f"not a file name: {str(path)!r} (give a file to write, e.g. -o out.ics)")
    if is_one_of(path, never):
        raise Conflict(f"{path} is the database (or one of its files): choose another file")
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise NotFound(f"cannot write {path}: {exc.strerror}") from None
    chunks = [data] if isinstance(data, bytes) else data
    if found is not None and not stat.S_ISREG(found.st_mode):
        return _write_through(path, chunks)
    return _replace(path, chunks)


def is_one_of(path: Path, files: Sequence[Path]) -> bool:
    """True if `path` is one of `files`: the same device and inode (a link or another name of
    it included) or, where it does not exist yet, the same real path. Nothing is opened."""
    try:
        target = os.stat(path)
    except OSError:
        real = os.path.realpath(path)
        return any(os.path.realpath(other) == real for other in files)
    for other in files:
        try:
            seen = os.stat(other)
        except OSError:
            continue
        if (seen.st_dev, seen.st_ino) == (target.st_dev, target.st_ino):
            return True
    return False


def _write_through(path: Path, chunks: Iterable[bytes]) -> int:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    except FileNotFoundError:
        raise NotFound(f"cannot write {path}: it links to a missing file") from None
    except OSError as exc:
        raise NotFound(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        return sum(handle.write(chunk) for chunk in chunks)


def _replace(path: Path, chunks: Iterable[bytes]) -> int:
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
            written = sum(handle.write(chunk) for chunk in chunks)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written
