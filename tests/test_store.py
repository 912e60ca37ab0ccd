"""The store: full-text index in sync, cascades, atomic writes, file modes, pragmas."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from tinycrm.errors import Stale, StorageError, UsageError
from tinycrm.models.notes import Note
from tinycrm.services.contacts import ContactFields, add_contact, edit_contact, search_contacts
from tinycrm.services.notes import add_note
from tinycrm.services.users import add_user
from tinycrm.store import Store

TODAY = date(2026, 11, 26)


def found(store: Store, text: str) -> set[str]:
    return {r.contact.name for r in search_contacts(store, text).results}


def index_rows(store: Store) -> int:
    return int(store.db.conn.execute("SELECT count(*) FROM search_index").fetchone()[0])


def test_search_index_follows_add_edit_note_and_delete(store: Store) -> None:
    ann = add_contact(store, ContactFields(name="Ann Lee", company="Tandem"), TODAY)
    assert found(store, "tandem") == {"Ann Lee"}
    edit_contact(store, "Ann", ContactFields(company=""), TODAY)
    edit_contact(store, "Ann", ContactFields(company="Velo", emails=["ann@quill.example"]), TODAY)
    assert found(store, "tandem") == set()
    assert found(store, "velo") == {"Ann Lee"}
    assert found(store, "quill") == {"Ann Lee"}
    note = add_note(store, "Ann", "wants a gravel wheelset", TODAY)
    assert found(store, "wheelset") == {"Ann Lee"}
    with store.write() as conn:
        conn.execute("DELETE FROM notes WHERE id = ?", (note.id,))
    assert found(store, "wheelset") == set()
    add_note(store, "Ann", "second note about saddles", TODAY)
    assert index_rows(store) == 2  # the contact's document and one note
    assert ann.id is not None
    store.contacts.delete(ann.id)
    assert found(store, "saddles") == set()
    assert found(store, "velo") == set()
    assert index_rows(store) == 0


def test_deleting_a_contact_cascades_to_everything_it_owns(store: Store) -> None:
    ann = add_contact(
        store,
        ContactFields(name="Ann", emails=["a@x.example"], phones=["123"], tags=["vip"],
                      anniversaries=["wedding=2015-06-21"], stage="awareness"),
        TODAY,
    )  # fmt: skip
    add_note(store, "Ann", "hello", TODAY, "call")
    assert ann.id is not None
    store.contacts.delete(ann.id)
    conn = store.db.conn
    for table in ("contact_emails", "contact_phones", "contact_tags", "anniversaries",
                  "stage_history", "notes"):  # fmt: skip
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert store.db.foreign_key_problems() == []


def test_write_rolls_back_a_multi_row_write_that_fails_midway(store: Store) -> None:
    with pytest.raises((sqlite3.IntegrityError, StorageError)), store.write():
        add_contact(store, ContactFields(name="Ann"), TODAY)
        add_contact(store, ContactFields(name="Bob"), TODAY)
        store.notes.insert(Note(contact_id=999, body="orphan", on=TODAY))  # foreign key fails
    conn = store.db.conn
    assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    assert index_rows(store) == 0
    assert not conn.in_transaction


def test_write_rolls_back_on_a_domain_error_and_stays_usable(store: Store) -> None:
    with pytest.raises(UsageError), store.write():
        add_contact(store, ContactFields(name="Ann"), TODAY)
        add_note(store, "Ann", "   ", TODAY)  # empty note: usage error after a write
    assert store.db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    add_contact(store, ContactFields(name="Bob"), TODAY)
    assert store.db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 1


def test_service_rejects_bad_input_without_writing(store: Store) -> None:
    with pytest.raises(UsageError):
        add_contact(store, ContactFields(name="Ann", emails=["ok@x.example", "bad"]), TODAY)
    assert store.db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        data_dir = tmp_path / "fresh" / "tinycrm"
        db_file = data_dir / "crm.db"
        opened = Store.open(db_file, create=True)
        try:
            add_contact(opened, ContactFields(name="Ann"), TODAY)
            assert mode(data_dir) == 0o700
            assert mode(db_file) == 0o600
            for suffix in ("-wal", "-shm"):
                side = db_file.with_name(db_file.name + suffix)
                assert side.exists(), suffix
                assert mode(side) == 0o600, suffix
        finally:
            opened.close()
    finally:
        os.umask(old)


@pytest.mark.sqlite_only(reason="SQLite's pragmas")
def test_connection_pragmas(store: Store) -> None:
    conn = store.db.conn
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_deleted_text_does_not_linger_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    opened = Store.open(path, create=True)
    ann = add_contact(opened, ContactFields(name="Ann", emails=["secret.zq93@x.example"]), TODAY)
    assert ann.id is not None
    opened.contacts.delete(ann.id)
    opened.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    opened.close()
    assert b"secret.zq93" not in path.read_bytes()


def test_past_the_candidates_a_search_shows_the_newest_matches(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SEARCH_CANDIDATES matches in a part of the index, nothing is ranked (docs/search.md):
    contacts whose own fields match first (the newest first), then contacts by their newest
    matching note; an old, strong match drops out; a rare word is still ranked."""
    import tinycrm.store.search as search_store

    add_contact(store, ContactFields(name="Old Friday Fan"), TODAY)
    add_note(store, "Old Friday", "friday friday friday", TODAY)
    add_note(store, "Old Friday", "a sourdough starter", TODAY)
    for number in range(4):
        add_contact(store, ContactFields(name=f"Customer {number}"), TODAY)
        add_note(store, f"Customer {number}", "calls every friday about the delivery", TODAY)
    ranked = search_contacts(store, "friday")
    assert ranked.ranked and ranked.total == 5
    assert ranked.results[0].contact.name == "Old Friday Fan"

    monkeypatch.setattr(search_store, "SEARCH_CANDIDATES", 3)
    newest = search_contacts(store, "friday")
    assert not newest.ranked and newest.total == 4  # counted up to the candidates, plus one
    assert [r.contact.name for r in newest.results] == [
        "Old Friday Fan", "Customer 3", "Customer 2", "Customer 1"
    ]  # fmt: skip
    assert {r.rank for r in newest.results} == {None}
    assert found(store, "every friday") == {"Customer 1", "Customer 2", "Customer 3"}
    assert found(store, "sourdough") == {"Old Friday Fan"}
    # The contacts' own documents are bounded the same way: the newest contacts.
    assert [r.contact.name for r in search_contacts(store, "customer", limit=2).results] == [
        "Customer 3", "Customer 2"
    ]  # fmt: skip


def test_a_search_finds_old_notes_as_well_as_the_newest(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL reads the newest notes first and the older ones through the index: the same
    contacts in the same order whatever the split, ranked or past the candidates."""
    import tinycrm.store.search as search_store

    for number in range(6):
        add_contact(store, ContactFields(name=f"Customer {number}"), TODAY)
        add_note(store, f"Customer {number}", f"calls every friday, order {number}", TODAY)
    add_note(store, "Customer 0", "asked about marzipan", TODAY)
    add_note(store, "Customer 5", "friday again", TODAY)
    queries = ("friday", "marzipan", "order", "friday again")

    def pages() -> list[list[tuple[str, float | None]]]:
        return [
            [(r.contact.name, r.rank) for r in search_contacts(store, query).results]
            for query in queries
        ]

    whole = pages()
    assert [len(page) for page in whole] == [6, 1, 6, 1]
    monkeypatch.setattr(search_store, "NEWEST_NOTES", 2)
    assert pages() == whole
    monkeypatch.setattr(search_store, "SEARCH_CANDIDATES", 3)
    newest = [r.contact.name for r in search_contacts(store, "friday").results]
    assert newest == ["Customer 5", "Customer 4"]  # the 3 newest matching notes


def test_a_prefix_finds_every_word_it_stands_for_however_many(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL searches a prefix that stands for few of the index's words as those words,
    and one that stands for more as a prefix: the same contacts and ranks either way."""
    import tinycrm.store.search as search_store

    for number in range(12):
        add_contact(store, ContactFields(name=f"Customer {number}"), TODAY)
        add_note(store, f"Customer {number}", f"rode the zorbing{number} trail, order", TODAY)
    queries = ("zorbing", "zorbing1", "zorbing1 order", "zorbing11", "zor ord", "zorbing99")

    def pages() -> list[list[tuple[str, float | None]]]:
        return [
            [(r.contact.name, r.rank) for r in search_contacts(store, query).results]
            for query in queries
        ]

    whole = pages()
    everyone = {f"Customer {number}" for number in range(12)}
    ones = {"Customer 1", "Customer 10", "Customer 11"}
    expected = [everyone, ones, ones, {"Customer 11"}, everyone, set()]
    assert [{name for name, _ in page} for page in whole] == expected
    monkeypatch.setattr(search_store, "PREFIX_WORDS", 2)  # "zorbing1" now stands for too many
    assert pages() == whole


def test_a_change_made_from_an_old_version_is_refused_and_writes_nothing(
    store: Store, isolated_env: Path
) -> None:
    """The guarantee under every conflict message: the conditional UPDATE itself, even when two
    writers both read version 1 before either saved (as two connections on a server may)."""
    mine = add_contact(store, ContactFields(name="Ann", phones=["555 0100"]), TODAY)
    theirs = Store.open(store.db.target)
    try:
        read = theirs.contacts.get(mine.id or 0)
        assert read is not None and read.version == 1
        mine.owner_id = add_user(store, "Maria", email="maria@example.com").id
        store.contacts.update(mine)  # saved first: version 2
        read.phones = ["555 0199"]
        with pytest.raises(Stale, match="changed by someone else"):
            theirs.contacts.update(read)
    finally:
        theirs.close()
    stored = store.contacts.get(mine.id or 0)
    assert stored is not None
    assert (stored.owner, stored.phones, stored.version) == ("Maria", ["555 0100"], 2)
