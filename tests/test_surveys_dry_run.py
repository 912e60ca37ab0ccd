"""`crm surveys send --dry-run` says who would get a survey before the mail server is set up
(docs/mail.md): the preview a shop wants first; a real send still needs [smtp]."""

from __future__ import annotations

from conftest import Invoke


def test_a_dry_run_needs_no_mail_server(cli: Invoke) -> None:
    assert cli("contacts", "add", "Ann Lee", "--email", "ann@example.com").exit_code == 0
    dry = cli("surveys", "send", "Ann Lee", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout == "would send to Ann Lee <ann@example.com>\n"
    assert "1 survey would be sent" in dry.stderr
    real = cli("surveys", "send", "Ann Lee")
    assert real.exit_code == 2
    assert "config has no [smtp] table" in real.stderr
