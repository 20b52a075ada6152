"""`lerend token create|list|revoke`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import ApiToken, hash_token


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_only_the_token(member_user):
    out, err = run("create", "MO@korenbloem.test", "--label", "backup script")
    raw = out.strip()
    assert out == raw + "\n"
    assert raw.startswith("lrn_")
    token = ApiToken.objects.get(user=member_user)
    assert (token.label, token.prefix, token.token_hash) == (
        "backup script",
        raw[:10],
        hash_token(raw),
    )
    assert "shown only this once" in err
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.json()["email"] == member_user.email


def test_create_has_a_default_label(member_user):
    run("create", member_user.email)
    assert ApiToken.objects.get(user=member_user).label == "command line"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "nobody@korenbloem.test"], "No user with the e-mail address"),
        (["create", "mo@korenbloem.test", "--label", "  "], "label must be 1 to 100"),
        (["create", "mo@korenbloem.test", "--label", "x" * 101], "label must be 1 to 100"),
        (["list", "nobody@korenbloem.test"], "No user with the e-mail address"),
        (["revoke", "lrn_nothing"], "No token starts with lrn_nothing"),
    ],
)
def test_errors(member_user, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ApiToken.objects.exists()


def test_no_token_for_a_deactivated_account(member_user):
    member_user.is_active = False
    member_user.save()
    with pytest.raises(CommandError, match="deactivated"):
        run("create", member_user.email)
    assert not ApiToken.objects.exists()


def test_list(member_user, admin_user):
    first, _ = ApiToken.issue(member_user, "laptop")
    second, _ = ApiToken.issue(member_user, "server")
    second.revoke()
    ApiToken.issue(admin_user, "not mine")
    out, _ = run("list", member_user.email)
    lines = out.splitlines()
    assert len(lines) == 2
    assert {line.split()[0] for line in lines} == {first.prefix, second.prefix}
    assert any("laptop" in line and line.endswith("active") for line in lines)
    assert any("server" in line and "revoked" in line for line in lines)
    assert "not mine" not in out


def test_list_without_tokens(member_user):
    out, _ = run("list", member_user.email)
    assert out == "mo@korenbloem.test has no API tokens.\n"


def test_revoke(member_user):
    token, raw = ApiToken.issue(member_user, "laptop")
    other, other_raw = ApiToken.issue(member_user, "server")
    out, _ = run("revoke", token.prefix)
    assert "is revoked" in out
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None
    assert other.revoked_at is None
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    headers = {"Authorization": f"Bearer {other_raw}"}
    assert Client().get("/api/v1/me", headers=headers).status_code == 200

    revoked_at = token.revoked_at
    out, _ = run("revoke", token.prefix)
    assert "already revoked" in out
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
