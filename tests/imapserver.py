"""A real IMAP server on 127.0.0.1 for the tests (pymap's in-memory backend), and a client;
with a certificate it offers STARTTLS, and `implicit_tls` puts IMAPS (TLS from the start) in
front of it, which pymap does not serve itself."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import sys
import threading
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
    certificate: tuple[Path, Path] | None = None  # (cert, key): STARTTLS offered
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
        command = [_pymap(), "--host", "127.0.0.1", "--port", str(self.port)]
        if self.certificate:
            command += ["--cert", str(self.certificate[0]), "--key", str(self.certificate[1])]
        self.process = subprocess.Popen(
            [*command, "dict"],
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
def imap_serving(
    port: int | None = None, certificate: tuple[Path, Path] | None = None
) -> Iterator[ImapServer]:
    server = ImapServer(port or free_port(), certificate)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def implicit_tls(server: ImapServer, context: ssl.SSLContext) -> Iterator[int]:
    """A port on 127.0.0.1 that speaks TLS from the first byte and relays to `server`."""
    loop = asyncio.new_event_loop()
    port = free_port()

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        inner_reader, inner_writer = await asyncio.open_connection("127.0.0.1", server.port)
        await asyncio.gather(relay(reader, inner_writer), relay(inner_reader, writer))

    listening = loop.run_until_complete(
        asyncio.start_server(connection, "127.0.0.1", port, ssl=context)
    )
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(listening.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
