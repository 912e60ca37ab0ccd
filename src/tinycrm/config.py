"""Where the database and the config file live, and the settings read from the config file.

Resolution order for the database: `--db`, then `CRM_DB`, then the config file's `database`,
then the platform's user data directory. The config file is `CRM_CONFIG` or the platform's
user config directory's `config.toml`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinycrm.errors import UsageError

APP_NAME = "tinycrm"


def _platform_dirs() -> Any:
    # platformdirs costs ~15 ms to import; only pay for it when no override is set.
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def config_path() -> Path:
    env = os.environ.get("CRM_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(_platform_dirs().user_config_dir) / "config.toml"


@dataclass(frozen=True)
class PlaybookStep:
    """One follow-up created after a sale: `kind` due `days` after the sale date."""

    kind: str
    days: int
    title: str


DEFAULT_PLAYBOOK = (
    PlaybookStep("thank-you", 2, "Thank-you call"),
    PlaybookStep("satisfaction-check", 14, "Satisfaction check"),
)


@dataclass(frozen=True)
class Settings:
    """User settings from the config file; every field has a sensible default."""

    database: Path | None = None
    day_first: bool = True
    feb29_in_common_years: str = "feb28"  # or "mar1"
    upcoming_days: int = 7
    after_sale_playbook: tuple[PlaybookStep, ...] = DEFAULT_PLAYBOOK
    default_currency: str = "EUR"
    hourly_cost: str | None = None  # [costs] hourly, in default_currency: cost of an hour
    smtp: dict[str, Any] = field(default_factory=dict)
    digest: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None


def load_settings(path: Path | None = None) -> Settings:
    """Read the TOML config file; a missing file gives the defaults, a broken one an error."""
    path = path or config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read config file {path}: {exc}") from exc
    return _settings_from_mapping(raw, path)


def _settings_from_mapping(raw: dict[str, Any], source: Path) -> Settings:
    dates = raw.get("dates", {})
    order = str(dates.get("numeric_order", "day-first"))
    if order not in ("day-first", "month-first"):
        raise UsageError(f"config {source}: dates.numeric_order must be day-first or month-first")
    feb29 = str(dates.get("feb29", "feb28"))
    if feb29 not in ("feb28", "mar1"):
        raise UsageError(f"config {source}: dates.feb29 must be feb28 or mar1")
    db = raw.get("database")
    return Settings(
        database=Path(db).expanduser() if db else None,
        day_first=order == "day-first",
        feb29_in_common_years=feb29,
        upcoming_days=int(raw.get("follow_ups", {}).get("upcoming_days", 7)),
        after_sale_playbook=_playbook(raw.get("playbook", {}).get("after_sale"), source),
        default_currency=str(raw.get("sales", {}).get("currency", "EUR")).upper(),
        hourly_cost=_text_or_none(raw.get("costs", {}).get("hourly")),
        smtp=dict(raw.get("smtp", {})),
        digest=dict(raw.get("digest", {})),
        source=source,
    )


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _playbook(steps: Any, source: Path) -> tuple[PlaybookStep, ...]:
    if steps is None:
        return DEFAULT_PLAYBOOK
    try:
        return tuple(
            PlaybookStep(str(s["kind"]), int(s["days"]), str(s.get("title", s["kind"])))
            for s in steps
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(
            f"config {source}: playbook.after_sale needs entries with kind and days"
        ) from exc


def database_path(explicit: str | Path | None, settings: Settings | None = None) -> Path:
    """The database file to use, by the documented order of precedence."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("CRM_DB")
    if env:
        return Path(env).expanduser()
    if settings is not None and settings.database is not None:
        return settings.database
    return Path(_platform_dirs().user_data_dir) / "crm.db"
