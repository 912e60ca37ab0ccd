"""Running the real `crm tui` on a pseudo-terminal and keeping every byte it writes."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

CRM = str(Path(sys.executable).with_name("crm"))


class Session(NamedTuple):
    returncode: int
    output: bytes  # everything written to the terminal (Textual draws on stderr)


def run_in_terminal(
    args: Sequence[str],
    steps: Sequence[tuple[str, bytes]],
    *,
    ready: bytes,
    argv0: Sequence[str] = (CRM,),
    size: tuple[int, int] = (100, 30),
    timeout: float = 60.0,
) -> Session:
    """Start `crm ARGS` on a pty of `size` (columns, rows), wait for `ready` in its output,
    then for each (keys, expected) type the keys and wait for `expected` to be written."""
    master, slave = pty.openpty()
    columns, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)}
    process = subprocess.Popen(
        [*argv0, *args], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + timeout

    def read_until(expected: bytes, since: int) -> None:
        while expected not in output[since:] and time.monotonic() < deadline:
            if not select.select([master], [], [], 0.1)[0]:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed: the program ended
                return
            if not chunk:
                return
            output.extend(chunk)

    try:
        read_until(ready, 0)
        for keys, expected in steps:
            since = len(output)
            os.write(master, keys.encode())
            read_until(expected, since)
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
        read_until(b"\x00never", len(output))  # what is left after the exit
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return Session(process.returncode, bytes(output))
