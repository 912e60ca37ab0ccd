"""The config file: missing gives defaults, broken is a clear usage error, valid is used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tinycrm.config import Settings, load_settings
from tinycrm.errors import UsageError


def config_file() -> Path:
    return Path(os.environ["CRM_CONFIG"])


def test_missing_config_file_gives_the_defaults() -> None:
    assert not config_file().exists()
    assert load_settings() == Settings()


def test_valid_config_file_is_read() -> None:
    config_file().write_text('[dates]\nnumeric_order = "month-first"\n[sales]\ncurrency = "usd"\n')
    settings = load_settings()
    assert settings.day_first is False
    assert settings.default_currency == "USD"


def test_broken_config_file_is_a_usage_error_naming_the_file() -> None:
    config_file().write_text("database = [\n")
    with pytest.raises(UsageError, match=r"cannot read config file .*config\.toml"):
        load_settings()
