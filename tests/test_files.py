"""Files tinycrm writes are private (0600), and a database on a network filesystem is warned
about (SQLite's WAL does not work over NFS, SMB, sshfs, 9p…)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm.store import Store, connection
from tinycrm.store.connection import Database

pytestmark = pytest.mark.sqlite_only(
    reason="where the SQLite file lives (network filesystems, paths)"
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_shm_and_backup_are_private(cli: Invoke, tmp_path: Path) -> None:
    db = tmp_path / "new-dir" / "crm.db"
    assert cli("--db", str(db), "contacts", "add", "Ann").exit_code == 0
    reader = Database(db, create=True)  # keeps the WAL files in place while we look
    try:
        assert cli("--db", str(db), "notes", "add", "Ann", "hello").exit_code == 0
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert path.exists(), path
            assert mode(path) == 0o600, path
        assert mode(db.parent) == 0o700
        backup = tmp_path / "copy.db"
        assert cli("--db", str(db), "db", "backup", str(backup)).exit_code == 0
        assert mode(backup) == 0o600
    finally:
        reader.close()


def mounts(tmp_path: Path, lines: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "mounts"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(connection, "MOUNTS", table)


@pytest.mark.parametrize("fstype", ["nfs", "nfs4", "cifs", "smb3", "fuse.sshfs", "9p"])
def test_network_filesystem_gets_a_one_line_warning(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fstype: str
) -> None:
    mounts(
        tmp_path,
        ["/dev/sda1 / ext4 rw 0 0", f"server:/export {tmp_path} {fstype} rw,relatime 0 0"],
        monkeypatch,
    )
    assert cli("contacts", "add", "Ann").exit_code == 0
    listed = cli("contacts", "list", "--json")
    assert listed.exit_code == 0
    assert json.loads(listed.stdout)[0]["name"] == "Ann"  # stdout stays clean JSON
    lines = listed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("crm: warning:")
    assert "network filesystem" in lines[0] and fstype in lines[0]


def test_local_filesystem_has_no_warning(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The deepest mount point wins: a local disk mounted below an NFS root is local.
    mounts(tmp_path, ["server:/ / nfs4 rw 0 0", f"/dev/sdb1 {tmp_path} ext4 rw 0 0"], monkeypatch)
    Store.open(tmp_path / "crm.db", create=True).close()
    result = cli("contacts", "add", "Ann")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_mount_points_with_spaces_are_understood(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "team share"
    shared.mkdir()
    escaped = str(shared).replace(" ", "\\040")
    mounts(tmp_path, ["/dev/sda1 / ext4 rw 0 0", f"//nas/team {escaped} cifs rw 0 0"], monkeypatch)
    db = Database(shared / "crm.db", create=True)
    try:
        assert db.on_network_filesystem
        assert db.filesystem == "cifs"
    finally:
        db.close()
    assert connection.filesystem_type(tmp_path) == "ext4"


def test_unreadable_mount_table_means_no_warning(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "MOUNTS", tmp_path / "missing")
    Store.open(tmp_path / "crm.db", create=True).close()
    result = cli("contacts", "add", "Ann")
    assert result.exit_code == 0
    assert result.stderr == ""
