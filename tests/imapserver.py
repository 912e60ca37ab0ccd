"""A real IMAP server on 127.0.0.1 for the tests (pymap's in-memory backend), and a client."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

from mailserver import free_port

USER, PASSWORD = "demouser", "demopass"


def _pymap() -> str:
    beside = Path(sys.executable).with_name("pymap")
    return str(beside) if beside.exists() else shutil.which("pymap") or "pymap"


@dataclass
class ImapServer:
    port: int
    process: subprocess.Popen[bytes] | None = None

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, message: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            client.append(folder, message)
        finally:
            client.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The messages in `folder` (none if it does not exist)."""
        client = self.client()
        try:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [bytes(fetched[uid][b"BODY[]"]) for uid in sorted(fetched)]
        finally:
            client.logout()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [_pymap(), "--host", "127.0.0.1", "--port", str(self.port), "dict"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("pymap did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def imap_serving(port: int | None = None) -> Iterator[ImapServer]:
    server = ImapServer(port or free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
