"""`crm surveys send --dry-run` and `crm portal invite --dry-run` say who would get one before
the mail server and the portal are set up (docs/mail.md, docs/portal.md): the preview a shop
wants first; a real send still needs the config."""

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


def test_a_portal_invitation_dry_run_needs_no_portal_nor_mail_server(cli: Invoke) -> None:
    assert (
        cli("contacts", "add", "Ann Lee", "--email", "ann@example.com", "--tag", "vip").exit_code
        == 0
    )
    assert cli("contacts", "add", "Bo Chen", "--tag", "vip").exit_code == 0
    dry = cli("portal", "invite", "--tag", "vip", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "would invite Ann Lee <ann@example.com>" in dry.stdout
    assert "skipped Bo Chen" in dry.stdout
    real = cli("portal", "invite", "--tag", "vip")
    assert real.exit_code == 2
    assert "set [portal] base_url" in real.stderr
