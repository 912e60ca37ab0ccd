"""Where the database and config live: --db, CRM_DB, config file, platformdirs; bad paths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm import config
from tinycrm.errors import UsageError


def one_line_error(result: object, code: int = 1) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)  # type: ignore[attr-defined]
    err: str = result.stderr  # type: ignore[attr-defined]
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.sqlite_only(reason="file paths for --db and CRM_DB; PostgreSQL URLs: test_postgres.py")
def test_db_option_beats_crm_db(cli: Invoke, isolated_env: Path) -> None:
    assert cli("db", "path").stdout.strip() == str(isolated_env / "crm.db")
    other = isolated_env / "other.db"
    assert cli("--db", str(other), "db", "path").stdout.strip() == str(other)
    cli("--db", str(other), "contacts", "add", "Ann")
    assert other.exists()
    assert cli("contacts", "list", "--json").exit_code == 1  # crm.db was never created
    assert not (isolated_env / "crm.db").exists()
    assert len(json.loads(cli("--db", str(other), "contacts", "list", "--json").stdout)) == 1


def test_db_path_creates_nothing(cli: Invoke, isolated_env: Path) -> None:
    cli("db", "path")
    assert not (isolated_env / "crm.db").exists()


def test_platformdirs_default_then_config_database(
    cli: Invoke, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_DB")
    default = isolated_env / "xdg-data" / "tinycrm" / "crm.db"
    assert cli("db", "path").stdout.strip() == str(default)
    cli("contacts", "add", "Ann")
    assert default.exists()
    (isolated_env / "config.toml").write_text(f'database = "{isolated_env / "cfg.db"}"\n')
    assert cli("db", "path").stdout.strip() == str(isolated_env / "cfg.db")
    monkeypatch.setenv("CRM_DB", str(isolated_env / "env.db"))
    assert cli("db", "path").stdout.strip() == str(isolated_env / "env.db")


def test_config_default_location_is_platformdirs(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_CONFIG")
    assert config.config_path() == isolated_env / "xdg-config" / "tinycrm" / "config.toml"


@pytest.mark.parametrize(
    ("home", "xdg"),
    [("/home", None), ("/home/", ""), ("/home", "/xdg/"), ("/home", "rel/xdg"), ("/home", "  "),
     ("relative-home", None)],
)  # fmt: skip
def test_default_database_and_config_are_where_platformdirs_puts_them(
    cli: Invoke, isolated_env: Path, monkeypatch: pytest.MonkeyPatch, home: str, xdg: str | None
) -> None:
    """With no --db, CRM_DB or CRM_CONFIG, the database and the config file are in the user
    data and config directories platformdirs names ("/…" here is under the test's directory)."""
    import platformdirs

    def under_test_dir(path: str) -> str:
        return str(isolated_env) + path if path.startswith("/") else path

    monkeypatch.delenv("CRM_DB")
    monkeypatch.delenv("CRM_CONFIG")
    monkeypatch.setenv("HOME", under_test_dir(home))
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        if xdg is None:
            monkeypatch.delenv(variable)
        else:
            monkeypatch.setenv(variable, under_test_dir(xdg))
    dirs = platformdirs.PlatformDirs("tinycrm", appauthor=False)
    assert cli("db", "path").stdout.strip() == str(Path(dirs.user_data_dir) / "crm.db")
    config_file = Path(dirs.user_config_dir).absolute() / "config.toml"
    if not config_file.is_relative_to(isolated_env):
        return  # a relative $HOME: platformdirs falls back to the real home, never written to
    config_file.parent.mkdir(parents=True)
    config_file.write_text(f'database = "{isolated_env / "configured.db"}"\n')
    assert cli("db", "path").stdout.strip() == str(isolated_env / "configured.db")


def test_full_config_file_is_read(isolated_env: Path) -> None:
    path = isolated_env / "config.toml"
    path.write_text(
        '[dates]\nnumeric_order = "month-first"\nfeb29 = "mar1"\n'
        "[follow_ups]\nupcoming_days = 14\n"
        '[sales]\ncurrency = "gbp"\n'
        '[[playbook.after_sale]]\nkind = "thank-you"\ndays = 1\ntitle = "Say thanks"\n'
        '[smtp]\nhost = "mail.example"\nport = 587\n'
    )
    settings = config.load_settings()
    assert settings.day_first is False
    assert settings.feb29_in_common_years == "mar1"
    assert settings.upcoming_days == 14
    assert settings.default_currency == "GBP"
    assert settings.after_sale_playbook == (config.PlaybookStep("thank-you", 1, "Say thanks"),)
    assert settings.smtp["port"] == 587


@pytest.mark.parametrize(
    "text",
    [
        "this is = not toml [",
        'dates = "day-first"',
        '[follow_ups]\nupcoming_days = "soon"',
        "[follow_ups]\nupcoming_days = -3",
        "smtp = 5",
        "[[playbook.after_sale]]\nkind = 'thank-you'",
        "playbook = 3",
        "database = 7",
        "[sales]\ncurrency = 978",
    ],
)
def test_broken_config_is_a_clear_error(cli: Invoke, isolated_env: Path, text: str) -> None:
    (isolated_env / "config.toml").write_text(text)
    with pytest.raises(UsageError):
        config.load_settings()
    err = one_line_error(cli("contacts", "list"), 2)
    assert "config" in err


def test_db_path_is_a_directory(cli: Invoke, isolated_env: Path) -> None:
    target = isolated_env / "adir"
    target.mkdir()
    err = one_line_error(cli("--db", str(target), "contacts", "list"))
    assert "directory" in err
    assert list(target.iterdir()) == []


def test_db_path_not_sqlite_is_left_unchanged(cli: Invoke, isolated_env: Path) -> None:
    target = isolated_env / "notes.txt"
    target.write_text("my shopping list\n" * 10)
    err = one_line_error(cli("--db", str(target), "contacts", "add", "Ann"))
    assert "not a SQLite database" in err
    assert target.read_text() == "my shopping list\n" * 10
    assert sorted(p.name for p in isolated_env.iterdir() if p.name.startswith("notes")) == [
        "notes.txt"
    ]


def test_db_path_cannot_be_created(cli: Invoke) -> None:
    # Tests run as root, which ignores file modes; a parent that is a regular file cannot be
    # written by anyone.
    err = one_line_error(cli("--db", "/etc/passwd/x.db", "contacts", "add", "Ann"))
    assert "cannot create database" in err


def test_db_path_unwritable_file(
    cli: Invoke, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = isolated_env / "ro.db"
    cli("--db", str(target), "contacts", "add", "Ann")
    target.chmod(0o444)
    before = target.read_bytes()
    real_access = os.access
    # Root ignores the mode, so make the permission check answer as it would for a user.
    monkeypatch.setattr(
        os, "access", lambda p, m: False if Path(p) == target else real_access(p, m)
    )
    err = one_line_error(cli("--db", str(target), "contacts", "add", "Bob"))
    assert "not writable" in err
    assert target.read_bytes() == before


def test_tilde_in_db_path_is_expanded(cli: Invoke, isolated_env: Path) -> None:
    assert cli("--db", "~/x.db", "db", "path").stdout.strip() == str(isolated_env / "home" / "x.db")


@pytest.mark.sqlite_only(reason="where --db and CRM_DB point; refused before any backend opens")
def test_empty_db_option_or_crm_db_is_refused_not_the_default_crm(
    cli: Invoke, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = isolated_env / "xdg-data" / "tinycrm" / "crm.db"
    err = one_line_error(cli("--db", "", "contacts", "add", "Ann"), 2)
    assert "--db is empty" in err
    monkeypatch.setenv("CRM_DB", "")
    err = one_line_error(cli("contacts", "add", "Ann"), 2)
    assert "CRM_DB is empty" in err
    assert not default.exists()


@pytest.mark.sqlite_only(reason="where --db points; refused before any backend opens")
def test_mistyped_database_url_is_refused_not_made_a_file(
    cli: Invoke, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(isolated_env)
    before = sorted(isolated_env.iterdir())
    url = "postgresq://ann:s3cret@db.example:5499/crm"
    err = one_line_error(cli("--db", url, "contacts", "add", "Ann"), 2)
    assert "postgresq://ann:***@db.example:5499/crm is not a database" in err
    assert "s3cret" not in err
    err = one_line_error(cli("db", "copy", "sqlite:///tmp/x.db", str(isolated_env / "y.db")), 2)
    assert "sqlite:///tmp/x.db is not a database" in err
    assert sorted(isolated_env.iterdir()) == before
