"""`lerend createuser`."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import User
from orgs.models import AuditEvent, Membership, Organisation, Role

PASSWORD = "kneed-the-dough-slowly"


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("createuser", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_a_member(org, admin_user, password_file):
    out, _ = run(
        "Lien@Korenbloem.test", "--org", "korenbloem", "--role", "member",
        "--password-file", password_file, "--name", "Lien  Maes",
    )  # fmt: skip
    user = User.objects.get(email="lien@korenbloem.test")
    assert user.name == "Lien Maes"
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user, organisation=org).role == Role.MEMBER
    assert AuditEvent.objects.filter(organisation=org, action="invitation.accepted").exists()
    assert "lien@korenbloem.test is member of Bakkerij De Korenbloem" in out


def test_create_the_first_admin_with_a_new_organisation(db, password_file):
    out, _ = run(
        "baas@nieuw.test", "--org", "Nieuw", "--role", "admin",
        "--create-org", "Nieuwe Organisatie", "--password-file", password_file,
    )  # fmt: skip
    org = Organisation.objects.get(slug="nieuw")
    assert org.name == "Nieuwe Organisatie"
    membership = Membership.objects.get(organisation=org)
    assert (membership.user.email, membership.role) == ("baas@nieuw.test", Role.ADMIN)
    assert AuditEvent.objects.filter(organisation=org, action="organisation.created").exists()
    assert "is admin of Nieuwe Organisatie (nieuw)" in out


def test_an_existing_user_gets_the_membership_and_keeps_the_password(
    org, other_org, outsider_user, password_file
):
    _, err = run(
        outsider_user.email, "--org", "korenbloem", "--role", "facilitator",
        "--password-file", password_file,
    )  # fmt: skip
    outsider_user.refresh_from_db()
    assert outsider_user.check_password("correct horse battery")
    assert Membership.objects.get(user=outsider_user, organisation=org).role == Role.FACILITATOR
    assert Membership.objects.get(user=outsider_user, organisation=other_org).role == Role.ADMIN
    assert "password is not changed" in err


def test_an_existing_member_gets_the_new_role(org, admin_user, member_user):
    run(member_user.email, "--org", "korenbloem", "--role", "facilitator")
    assert Membership.objects.get(user=member_user).role == Role.FACILITATOR
    assert AuditEvent.objects.filter(action="member.role_changed").count() == 1


def test_running_it_again_changes_nothing(org, admin_user, member_user):
    events = AuditEvent.objects.count()
    run(member_user.email, "--org", "korenbloem", "--role", "member")
    assert AuditEvent.objects.count() == events
    assert Membership.objects.get(user=member_user).role == Role.MEMBER


def test_the_password_is_asked_twice_without_echo(org, admin_user, monkeypatch):
    prompts = []

    def fake_getpass(prompt):
        prompts.append(prompt)
        return PASSWORD

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    run("lien@korenbloem.test", "--org", "korenbloem", "--role", "member")
    assert prompts == ["Password: ", "Password (again): "]
    assert User.objects.get(email="lien@korenbloem.test").check_password(PASSWORD)


def test_two_different_passwords_are_refused(org, admin_user, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    with pytest.raises(CommandError, match="two passwords differ"):
        run("lien@korenbloem.test", "--org", "korenbloem", "--role", "member")
    assert not User.objects.filter(email="lien@korenbloem.test").exists()


def test_without_a_terminal_a_password_file_is_needed(org, admin_user, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="--password-file"):
        run("lien@korenbloem.test", "--org", "korenbloem", "--role", "member")
    assert not User.objects.filter(email="lien@korenbloem.test").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort", "too short"),
        ("1234567890123", "entirely numeric"),
        ("password123", "too common"),
        ("lien@korenbloem", "too similar"),
        ("", "password is empty"),
    ],
)
def test_the_password_validators_apply(org, admin_user, tmp_path, password, message):
    path = tmp_path / "password"
    path.write_text(password, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("lien@korenbloem.test", "--org", "korenbloem", "--role", "member",
            "--password-file", path)  # fmt: skip
    assert not User.objects.filter(email="lien@korenbloem.test").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lien@korenbloem.test", "--org", "onbekend", "--role", "member"],
         "There is no organisation “onbekend”.*--create-org"),
        (["lien@korenbloem.test", "--org", "nieuw", "--role", "member", "--create-org", "N"],
         "needs an administrator first: use --role admin"),
        (["geen-adres", "--org", "korenbloem", "--role", "member"], "not a valid e-mail"),
        (["lien@korenbloem.test", "--org", "korenbloem", "--role", "member",
          "--password-file", "/does/not/exist"], "Cannot read the password file"),
    ],
)  # fmt: skip
def test_errors_change_nothing(org, admin_user, args, message):
    users, orgs, events = (
        User.objects.count(),
        Organisation.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert (User.objects.count(), Organisation.objects.count(), AuditEvent.objects.count()) == (
        users,
        orgs,
        events,
    )


def test_a_bad_role_is_refused_by_the_parser(org):
    with pytest.raises(CommandError, match="invalid choice"):
        run("lien@korenbloem.test", "--org", "korenbloem", "--role", "boss")


def test_a_rule_of_the_services_becomes_a_command_error(org, admin_user, password_file):
    with pytest.raises(CommandError, match="at least one administrator"):
        run(admin_user.email, "--org", "korenbloem", "--role", "member")
    assert Membership.objects.get(user=admin_user).role == Role.ADMIN


def test_a_reserved_slug_for_a_new_organisation(db, password_file):
    with pytest.raises(CommandError, match="already taken"):
        run("baas@nieuw.test", "--org", "invitations", "--role", "admin",
            "--create-org", "X", "--password-file", password_file)  # fmt: skip
    assert not User.objects.filter(email="baas@nieuw.test").exists()
