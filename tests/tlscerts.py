"""Throwaway certificates for the TLS tests, made with the `openssl` command: a private CA, a
server certificate it signs for 127.0.0.1 and localhost, and one it signs for another name."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Certificates:
    ca: Path  # the private CA's certificate: what a user puts in SSL_CERT_FILE
    cert: Path  # the server's certificate, for 127.0.0.1 and localhost
    key: Path
    other_cert: Path  # signed by the same CA for mail.other.example only
    other_key: Path

    def server_context(self, *, other_name: bool = False) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        if other_name:
            context.load_cert_chain(self.other_cert, self.other_key)
        else:
            context.load_cert_chain(self.cert, self.key)
        return context


def openssl_or_skip() -> str:
    """The openssl command; the test is skipped without it (and fails under CI=true)."""
    found = shutil.which("openssl")
    if found is None:
        reason = "TLS not tested: no openssl command to make a test certificate"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def make(directory: Path) -> Certificates:
    openssl = openssl_or_skip()

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, cwd=directory)

    key_options = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    run("req", "-x509", *key_options, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=tinycrm test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    for name, names in (
        ("server", "IP:127.0.0.1,DNS:localhost"),
        ("other", "DNS:mail.other.example"),
    ):
        run("req", *key_options, "-keyout", f"{name}.key", "-out", f"{name}.csr",
            "-subj", f"/CN={names.split(',')[0].partition(':')[2]}")  # fmt: skip
        (directory / f"{name}.ext").write_text(
            f"subjectAltName={names}\nbasicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
            "authorityKeyIdentifier=keyid\n",
            encoding="ascii",
        )
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext",
            "-out", f"{name}.pem")  # fmt: skip
    return Certificates(
        ca=directory / "ca.pem",
        cert=directory / "server.pem",
        key=directory / "server.key",
        other_cert=directory / "other.pem",
        other_key=directory / "other.key",
    )
