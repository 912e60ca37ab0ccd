"""A mail server's table in the config file (`[smtp]`, `[imap]`): its values read with errors
that name the key, and the settings both servers share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tinycrm.errors import UsageError


class ConfigTable:
    """The `[name]` table of the config file at `source` (None: no file named)."""

    def __init__(self, raw: Mapping[str, Any], name: str, source: object = None) -> None:
        self.raw = raw
        self.name = name
        self.where = f"config {source}" if source else "config"

    def error(self, text: str) -> UsageError:
        return UsageError(f"{self.where}: {text}")

    def text(self, key: str) -> str | None:
        """The key's string; None when it is missing or empty."""
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.error(f"{self.name}.{key} must be a string")
        return value

    def security(self, choices: tuple[str, ...]) -> str:
        """One of `choices` (the first by default), in any case."""
        value = (self.text("security") or choices[0]).lower()
        if value not in choices:
            named = f"{', '.join(choices[:-1])} or {choices[-1]}"
            raise self.error(f"{self.name}.security must be {named}, not {value!r}")
        return value

    def port_and_timeout(self, default_port: int, default_timeout: float) -> tuple[int, float]:
        try:
            port = int(self.raw.get("port", default_port))
            timeout = float(self.raw.get("timeout", default_timeout))
        except (TypeError, ValueError) as exc:
            raise self.error(f"{self.name}.port and {self.name}.timeout must be numbers") from exc
        if not 0 < port < 65536:
            raise self.error(f"{self.name}.port must be between 1 and 65535")
        return port, timeout

    def password_source(self, *, needed: bool) -> tuple[str | None, str | None]:
        """`password_env` and `password_command`, at most one of them (`needed`: exactly
        one); a password written in the file is refused."""
        if "password" in self.raw:
            raise self.error(
                f"{self.name}.password is not read (a config file is no place for a password);"
                " use password_env or password_command"
            )
        env, command = self.text("password_env"), self.text("password_command")
        if env and command:
            raise self.error(
                f"set {self.name}.password_env or {self.name}.password_command, not both"
            )
        if needed and not env and not command:
            raise self.error(f"{self.name}.password_env or {self.name}.password_command is needed")
        return env, command
