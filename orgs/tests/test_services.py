"""orgs.services: every rule, its DomainError, and the audit events written."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from conftest import make_user
from core.errors import DomainError
from orgs import services
from orgs.models import (
    ANONYMITY_FLOOR,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    Role,
    Team,
    hash_invitation_key,
)

from .conftest import counts


def last_event(org: Organisation) -> AuditEvent:
    return org.audit_events.all()[0]


# --- record -----------------------------------------------------------------------------


def test_record_writes_an_event_with_actor_label(org, admin_user):
    event = services.record(org, actor=admin_user, action="team.created", target_label="X", a=1)
    event.refresh_from_db()
    assert (event.organisation, event.actor, event.actor_label) == (
        org,
        admin_user,
        admin_user.email,
    )
    assert (event.action, event.target_label, event.data) == ("team.created", "X", {"a": 1})


def test_record_without_actor_is_the_system(org):
    event = services.record(org, actor=None, action="organisation.updated")
    assert event.actor is None
    assert event.actor_label == ""


# --- organisations ----------------------------------------------------------------------


def test_create_organisation_makes_the_actor_admin(db):
    user = make_user("stichter@example.test")
    org = services.create_organisation(name=" Bakkerij  Zon ", slug="Zon", actor=user)
    org.refresh_from_db()
    assert (org.name, org.slug, org.language) == ("Bakkerij Zon", "zon", "nl")
    assert Membership.objects.get(organisation=org).user == user
    assert Membership.objects.get(organisation=org).role == Role.ADMIN
    event = last_event(org)
    assert (event.action, event.actor) == ("organisation.created", user)


def test_create_organisation_refuses_a_taken_slug(org):
    user = make_user("stichter@example.test")
    with pytest.raises(DomainError) as error:
        services.create_organisation(name="Andere", slug="korenbloem", actor=user)
    assert error.value.code == "slug_taken"
    assert "korenbloem" in error.value.message
    assert Organisation.objects.count() == 1
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("name", "slug", "language", "code"),
    [
        ("", "leeg", "nl", "name_required"),
        ("   ", "leeg", "nl", "name_required"),
        ("x" * 151, "lang", "nl", "name_too_long"),
        ("Goed", "met spatie", "nl", "slug_invalid"),
        ("Goed", "", "nl", "slug_invalid"),
        ("Goed", "invitations", "nl", "slug_taken"),
        ("Goed", "goed", "fr", "language_invalid"),
    ],
)
def test_create_organisation_checks_its_input(db, name, slug, language, code):
    user = make_user("stichter@example.test")
    with pytest.raises(DomainError) as error:
        services.create_organisation(name=name, slug=slug, actor=user, language=language)
    assert error.value.code == code
    assert Organisation.objects.count() == 0


def test_update_organisation_saves_and_logs_the_changes(org, admin_user):
    result = services.update_organisation(
        org,
        actor=admin_user,
        name="De Korenbloem",
        slug="de-korenbloem",
        language="en",
        anonymity_minimum=8,
    )
    org.refresh_from_db()
    assert (org.name, org.slug, org.language, org.anonymity_minimum) == (
        "De Korenbloem",
        "de-korenbloem",
        "en",
        8,
    )
    assert result.slug == "de-korenbloem"
    event = last_event(org)
    assert event.action == "organisation.updated"
    assert event.data["changes"]["slug"] == ["korenbloem", "de-korenbloem"]
    assert event.data["changes"]["anonymity_minimum"] == [5, 8]


def test_update_organisation_without_changes_writes_no_event(org, admin_user):
    services.update_organisation(
        org,
        actor=admin_user,
        name=org.name,
        slug=org.slug,
        language=org.language,
        anonymity_minimum=org.anonymity_minimum,
    )
    assert org.audit_events.count() == 0


@pytest.mark.parametrize("minimum", [ANONYMITY_FLOOR - 1, 0, -5, 1001, "5", 4.5, True])
def test_anonymity_minimum_stays_within_bounds(org, admin_user, minimum):
    with pytest.raises(DomainError):
        services.update_organisation(
            org,
            actor=admin_user,
            name=org.name,
            slug=org.slug,
            language="nl",
            anonymity_minimum=minimum,
        )
    org.refresh_from_db()
    assert org.anonymity_minimum == 5
    assert org.audit_events.count() == 0


def test_anonymity_minimum_may_be_the_floor(org, admin_user):
    services.update_organisation(
        org,
        actor=admin_user,
        name=org.name,
        slug=org.slug,
        language="nl",
        anonymity_minimum=ANONYMITY_FLOOR,
    )
    org.refresh_from_db()
    assert org.anonymity_minimum == ANONYMITY_FLOOR


def test_update_organisation_refuses_a_slug_of_another_organisation(org, other_org, admin_user):
    with pytest.raises(DomainError) as error:
        services.update_organisation(
            org,
            actor=admin_user,
            name=org.name,
            slug=other_org.slug,
            language="nl",
            anonymity_minimum=5,
        )
    assert error.value.code == "slug_taken"
    org.refresh_from_db()
    assert org.slug == "korenbloem"


# --- invitations ------------------------------------------------------------------------


def test_invite_member_stores_only_the_hash_and_mails_the_link(
    org, admin_user, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://lerend.example"
    with django_capture_on_commit_callbacks(execute=True):
        invitation, key = services.invite_member(
            org, email=" Nieuw@Example.TEST ", role=Role.FACILITATOR, actor=admin_user
        )
    invitation.refresh_from_db()
    assert invitation.email == "nieuw@example.test"
    assert invitation.role == Role.FACILITATOR
    assert invitation.key_hash == hash_invitation_key(key)
    assert key not in invitation.key_hash
    assert invitation.invited_by == admin_user
    assert invitation.is_pending
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nieuw@example.test"]
    assert f"https://lerend.example/o/invitations/{key}/" in message.body
    assert f"https://lerend.example/o/invitations/{key}/" in message.alternatives[0][0]
    assert org.name in message.subject
    event = last_event(org)
    assert (event.action, event.target_label, event.data["role"]) == (
        "invitation.created",
        "nieuw@example.test",
        "facilitator",
    )


def test_invitation_mail_is_in_the_organisation_language(
    org, admin_user, django_capture_on_commit_callbacks
):
    org.language = "en"
    org.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(org, email="new@example.test", role=Role.MEMBER, actor=admin_user)
    assert "invites you to join" in mail.outbox[0].body
    assert "You are invited to join" in mail.outbox[0].subject


def test_no_mail_when_the_transaction_rolls_back(
    org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invite_member(org, email="new@example.test", role=Role.MEMBER, actor=admin_user)
    assert len(callbacks) == 1  # the mail waits for the commit
    assert mail.outbox == []


def test_invitation_revoked_before_the_worker_runs_sends_nothing(
    org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, _key = services.invite_member(
            org, email="new@example.test", role=Role.MEMBER, actor=admin_user
        )
    services.revoke_invitation(invitation, actor=admin_user)
    callbacks[0]()
    assert mail.outbox == []


def test_invite_existing_member_is_refused(org, admin_user, member_user):
    with pytest.raises(DomainError) as error:
        services.invite_member(org, email="MO@korenbloem.test", role=Role.ADMIN, actor=admin_user)
    assert error.value.code == "already_member"
    assert org.invitations.count() == 0
    assert org.audit_events.count() == 0


@pytest.mark.parametrize(("email", "role"), [("geen-adres", "member"), ("a@b.test", "boss")])
def test_invite_checks_its_input(org, admin_user, email, role):
    with pytest.raises(DomainError):
        services.invite_member(org, email=email, role=role, actor=admin_user)
    assert org.invitations.count() == 0


def test_a_new_invitation_replaces_the_open_one(org, admin_user):
    first, first_key = services.invite_member(
        org, email="nieuw@example.test", role=Role.MEMBER, actor=admin_user
    )
    second, _second_key = services.invite_member(
        org, email="NIEUW@example.test", role=Role.ADMIN, actor=admin_user
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_pending
    assert list(org.invitations.pending()) == [second]
    assert last_event(org).data["replaced"] == 1
    with pytest.raises(DomainError) as error:
        services.accept_invitation(first_key, user=make_user("nieuw@example.test"))
    assert error.value.code == "invitation_revoked"


def test_inviting_the_same_address_in_another_organisation_is_independent(
    org, other_org, admin_user, outsider_user
):
    mine, _ = services.invite_member(org, email="x@example.test", role="member", actor=admin_user)
    services.invite_member(other_org, email="x@example.test", role="member", actor=outsider_user)
    mine.refresh_from_db()
    assert mine.is_pending


def test_accept_invitation_makes_a_member_with_the_role(org, admin_user):
    invitation, key = services.invite_member(
        org, email="nieuw@example.test", role=Role.FACILITATOR, actor=admin_user
    )
    user = make_user("Nieuw@Example.test")
    membership = services.accept_invitation(key, user=user)
    assert Membership.objects.get(user=user, organisation=org) == membership
    assert membership.role == Role.FACILITATOR
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    event = last_event(org)
    assert (event.action, event.actor, event.data["role"]) == (
        "invitation.accepted",
        user,
        "facilitator",
    )


def test_a_key_is_used_once(org, admin_user):
    _invitation, key = services.invite_member(
        org, email="nieuw@example.test", role=Role.MEMBER, actor=admin_user
    )
    user = make_user("nieuw@example.test")
    services.accept_invitation(key, user=user)
    Membership.objects.filter(user=user).delete()
    with pytest.raises(DomainError) as error:
        services.accept_invitation(key, user=user)
    assert (error.value.code, error.value.status) == ("invitation_used", 410)
    assert not Membership.objects.filter(user=user).exists()


def test_an_unknown_key_is_refused(db):
    user = make_user("nieuw@example.test")
    with pytest.raises(DomainError) as error:
        services.accept_invitation("no-such-key", user=user)
    assert (error.value.code, error.value.status) == ("invitation_unknown", 404)


def test_an_expired_invitation_is_refused(org, admin_user, settings):
    settings.INVITATION_VALID_DAYS = 7
    _invitation, key = services.invite_member(
        org, email="nieuw@example.test", role=Role.MEMBER, actor=admin_user
    )
    user = make_user("nieuw@example.test")
    with (
        time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)),
        pytest.raises(DomainError) as error,
    ):
        services.accept_invitation(key, user=user)
    assert (error.value.code, error.value.status) == ("invitation_expired", 410)
    assert not Membership.objects.filter(user=user).exists()
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        services.accept_invitation(key, user=user)
    assert Membership.objects.filter(user=user, organisation=org).exists()


def test_a_revoked_invitation_is_refused(org, admin_user):
    invitation, key = services.invite_member(
        org, email="nieuw@example.test", role=Role.MEMBER, actor=admin_user
    )
    services.revoke_invitation(invitation, actor=admin_user)
    with pytest.raises(DomainError) as error:
        services.accept_invitation(key, user=make_user("nieuw@example.test"))
    assert (error.value.code, error.value.status) == ("invitation_revoked", 410)


def test_the_messages_for_unusable_keys_differ(org, admin_user):
    messages = set()
    for code in (
        "invitation_unknown",
        "invitation_used",
        "invitation_revoked",
        "invitation_expired",
    ):
        invitation = Invitation(
            organisation=org, email="x@example.test", expires_at=timezone.now() + timedelta(days=1)
        )
        if code == "invitation_unknown":
            invitation = None
        elif code == "invitation_used":
            invitation.accepted_at = timezone.now()
        elif code == "invitation_revoked":
            invitation.revoked_at = timezone.now()
        else:
            invitation.expires_at = timezone.now()
        with pytest.raises(DomainError) as error:
            services.check_invitation_usable(invitation)
        assert error.value.code == code
        messages.add(error.value.message)
    assert len(messages) == 4


def test_accepting_with_another_email_is_refused(org, admin_user, outsider_user):
    invitation, key = services.invite_member(
        org, email="nieuw@example.test", role=Role.ADMIN, actor=admin_user
    )
    with pytest.raises(DomainError) as error:
        services.accept_invitation(key, user=outsider_user)
    assert (error.value.code, error.value.status) == ("email_mismatch", 403)
    assert not Membership.objects.filter(user=outsider_user, organisation=org).exists()
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_accepting_as_an_existing_member_is_refused(org, admin_user, member_user):
    # An invitation made before the person joined by another invitation.
    key = Invitation.new_key()
    invitation = Invitation.objects.create(
        organisation=org,
        email=member_user.email,
        role=Role.ADMIN,
        key_hash=hash_invitation_key(key),
        expires_at=Invitation.default_expiry(),
    )
    with pytest.raises(DomainError) as error:
        services.accept_invitation(key, user=member_user)
    assert error.value.code == "already_member"
    assert Membership.objects.get(user=member_user, organisation=org).role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_revoke_invitation(org, admin_user):
    invitation, _key = services.invite_member(
        org, email="nieuw@example.test", role=Role.MEMBER, actor=admin_user
    )
    services.revoke_invitation(invitation, actor=admin_user)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert (last_event(org).action, last_event(org).target_label) == (
        "invitation.revoked",
        "nieuw@example.test",
    )
    with pytest.raises(DomainError) as error:
        services.revoke_invitation(invitation, actor=admin_user)
    assert error.value.code == "invitation_revoked"


def test_an_accepted_invitation_cannot_be_revoked(org, admin_user):
    invitation, key = services.invite_member(
        org, email="nieuw@example.test", role=Role.MEMBER, actor=admin_user
    )
    services.accept_invitation(key, user=make_user("nieuw@example.test"))
    with pytest.raises(DomainError) as error:
        services.revoke_invitation(invitation, actor=admin_user)
    assert error.value.code == "invitation_used"
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- members ----------------------------------------------------------------------------


def test_change_role(org, admin_user, member_membership):
    services.change_role(member_membership, role=Role.FACILITATOR, actor=admin_user)
    member_membership.refresh_from_db()
    assert member_membership.role == Role.FACILITATOR
    event = last_event(org)
    assert (event.action, event.data) == (
        "member.role_changed",
        {"old": "member", "new": "facilitator"},
    )


def test_change_to_the_same_role_writes_nothing(org, admin_user, member_membership):
    services.change_role(member_membership, role=Role.MEMBER, actor=admin_user)
    assert org.audit_events.count() == 0


def test_the_last_admin_cannot_be_demoted(org, admin_user, admin_membership):
    with pytest.raises(DomainError) as error:
        services.change_role(admin_membership, role=Role.MEMBER, actor=admin_user)
    assert error.value.code == "last_admin"
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN
    assert org.audit_events.count() == 0


def test_an_admin_can_step_down_when_another_admin_remains(
    org, admin_user, admin_membership, member_membership
):
    services.change_role(member_membership, role=Role.ADMIN, actor=admin_user)
    services.change_role(admin_membership, role=Role.MEMBER, actor=admin_user)
    assert list(org.memberships.admins()) == [member_membership]


def test_an_inactive_admin_does_not_count_as_the_other_admin(
    org, admin_user, admin_membership, member_membership, member_user
):
    services.change_role(member_membership, role=Role.ADMIN, actor=admin_user)
    member_user.is_active = False
    member_user.save()
    with pytest.raises(DomainError):
        services.change_role(admin_membership, role=Role.MEMBER, actor=admin_user)


def test_change_role_checks_the_role(org, admin_user, member_membership):
    with pytest.raises(DomainError) as error:
        services.change_role(member_membership, role="owner", actor=admin_user)
    assert error.value.code == "role_invalid"


def test_remove_member(org, admin_user, member_user, member_membership, team):
    member_membership.teams.add(team)
    services.remove_member(member_membership, actor=admin_user)
    assert not Membership.objects.filter(user=member_user, organisation=org).exists()
    assert team.memberships.count() == 0
    event = last_event(org)
    assert (event.action, event.target_label, event.data) == (
        "member.removed",
        member_user.email,
        {"role": "member"},
    )


def test_the_last_admin_cannot_be_removed(org, admin_user, admin_membership):
    with pytest.raises(DomainError) as error:
        services.remove_member(admin_membership, actor=admin_user)
    assert error.value.code == "last_admin"
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_an_admin_may_leave_when_another_admin_remains(
    org, admin_user, admin_membership, member_membership
):
    services.change_role(member_membership, role=Role.ADMIN, actor=admin_user)
    services.remove_member(admin_membership, actor=admin_user)
    assert not Membership.objects.filter(pk=admin_membership.pk).exists()
    assert org.memberships.admins().count() == 1


def test_removing_someone_already_gone_is_a_domain_error(org, admin_user, member_membership):
    Membership.objects.filter(pk=member_membership.pk).delete()
    with pytest.raises(DomainError) as error:
        services.remove_member(member_membership, actor=admin_user)
    assert error.value.code == "not_a_member"


def test_set_member_teams(org, admin_user, member_membership, team):
    bakery = Team.objects.create(organisation=org, name="Bakkerij", parent=team)
    services.set_member_teams(member_membership, teams=[team, bakery], actor=admin_user)
    assert set(member_membership.teams.all()) == {team, bakery}
    assert last_event(org).data == {"added": ["Bakkerij", "Productie"], "removed": []}
    services.set_member_teams(member_membership, teams=[bakery], actor=admin_user)
    assert list(member_membership.teams.all()) == [bakery]
    assert last_event(org).data == {"added": [], "removed": ["Productie"]}
    before = org.audit_events.count()
    services.set_member_teams(member_membership, teams=[bakery], actor=admin_user)
    assert org.audit_events.count() == before


def test_teams_of_another_organisation_are_refused(org, admin_user, member_membership, other_team):
    with pytest.raises(DomainError) as error:
        services.set_member_teams(member_membership, teams=[other_team], actor=admin_user)
    assert error.value.code == "team_other_org"
    assert member_membership.teams.count() == 0


# --- teams ------------------------------------------------------------------------------


def test_create_team_and_sub_team(org, admin_user):
    production = services.create_team(org, name="Productie", actor=admin_user)
    bakery = services.create_team(org, name="Bakkerij", parent=production, actor=admin_user)
    assert bakery.parent == production
    assert org.teams.count() == 2
    event = last_event(org)
    assert (event.action, event.target_label, event.data) == (
        "team.created",
        "Bakkerij",
        {"parent": "Productie"},
    )


def test_sibling_names_are_unique_ignoring_case(org, admin_user, team):
    with pytest.raises(DomainError) as error:
        services.create_team(org, name="PRODUCTIE", actor=admin_user)
    assert error.value.code == "team_name_taken"
    sub = services.create_team(org, name="Productie", parent=team, actor=admin_user)
    assert sub.parent == team  # the same name in another place is fine
    with pytest.raises(DomainError):
        services.create_team(org, name="productie", parent=team, actor=admin_user)
    assert org.teams.count() == 2


def test_the_same_team_name_in_another_organisation_is_fine(org, other_org, outsider_user, team):
    services.create_team(other_org, name=team.name, actor=outsider_user)
    assert other_org.teams.count() == 1


def test_a_parent_from_another_organisation_is_refused(org, admin_user, team, other_team):
    with pytest.raises(DomainError) as error:
        services.create_team(org, name="Nieuw", parent=other_team, actor=admin_user)
    assert error.value.code == "parent_other_org"
    with pytest.raises(DomainError):
        services.update_team(team, name=team.name, parent=other_team, actor=admin_user)
    team.refresh_from_db()
    assert team.parent is None
    assert org.teams.count() == 1


def test_update_team_renames_and_moves(org, admin_user, team):
    shop = services.create_team(org, name="Winkel", actor=admin_user)
    services.update_team(shop, name="Verkoop", parent=team, actor=admin_user)
    shop.refresh_from_db()
    assert (shop.name, shop.parent) == ("Verkoop", team)
    assert last_event(org).data == {
        "changes": {"name": ["Winkel", "Verkoop"], "parent": ["", "Productie"]}
    }
    services.update_team(shop, name="Verkoop", parent=None, actor=admin_user)
    shop.refresh_from_db()
    assert shop.parent is None


def test_a_team_cannot_be_its_own_parent(org, admin_user, team):
    with pytest.raises(DomainError) as error:
        services.update_team(team, name=team.name, parent=team, actor=admin_user)
    assert error.value.code == "team_cycle"
    team.refresh_from_db()
    assert team.parent is None


def test_a_team_cannot_be_moved_under_its_own_descendant(org, admin_user, team):
    child = services.create_team(org, name="Bakkerij", parent=team, actor=admin_user)
    grandchild = services.create_team(org, name="Oven", parent=child, actor=admin_user)
    for descendant in (child, grandchild):
        with pytest.raises(DomainError) as error:
            services.update_team(team, name=team.name, parent=descendant, actor=admin_user)
        assert error.value.code == "team_cycle"
    team.refresh_from_db()
    assert team.parent is None


def test_rename_to_a_sibling_name_is_refused(org, admin_user, team):
    shop = services.create_team(org, name="Winkel", actor=admin_user)
    with pytest.raises(DomainError) as error:
        services.update_team(shop, name="productie", parent=None, actor=admin_user)
    assert error.value.code == "team_name_taken"
    shop.refresh_from_db()
    assert shop.name == "Winkel"
    # Changing only the case of its own name is fine.
    services.update_team(shop, name="WINKEL", parent=None, actor=admin_user)
    shop.refresh_from_db()
    assert shop.name == "WINKEL"


def test_moving_next_to_a_team_with_the_same_name_is_refused(org, admin_user, team):
    services.create_team(org, name="Winkel", parent=team, actor=admin_user)
    shop = services.create_team(org, name="Winkel", actor=admin_user)
    with pytest.raises(DomainError):
        services.update_team(shop, name="Winkel", parent=team, actor=admin_user)
    shop.refresh_from_db()
    assert shop.parent is None


def test_delete_team(org, admin_user, team, member_membership):
    member_membership.teams.add(team)
    services.delete_team(team, actor=admin_user)
    assert not Team.objects.filter(pk=team.pk).exists()
    assert Membership.objects.filter(pk=member_membership.pk).exists()
    event = last_event(org)
    assert (event.action, event.target_label, event.data) == (
        "team.deleted",
        "Productie",
        {"members": 1},
    )


def test_a_team_with_sub_teams_cannot_be_deleted(org, admin_user, team):
    services.create_team(org, name="Bakkerij", parent=team, actor=admin_user)
    before = counts(org)
    with pytest.raises(DomainError) as error:
        services.delete_team(team, actor=admin_user)
    assert error.value.code == "team_has_children"
    assert counts(org) == before


def test_refused_changes_write_no_audit_event(org, admin_user, admin_membership, team):
    refused = [
        lambda: services.change_role(admin_membership, role="member", actor=admin_user),
        lambda: services.remove_member(admin_membership, actor=admin_user),
        lambda: services.update_team(team, name=team.name, parent=team, actor=admin_user),
        lambda: services.create_team(org, name="productie", actor=admin_user),
        lambda: services.invite_member(
            org, email=admin_user.email, role="member", actor=admin_user
        ),
    ]
    for change in refused:
        with pytest.raises(DomainError):
            change()
    assert org.audit_events.count() == 0


def test_a_team_still_used_elsewhere_stays(org, admin_user, team, monkeypatch):
    """Other apps (scans) protect the teams they use; deleting one then says why."""
    from django.db.models import ProtectedError

    def protected(self, *args, **kwargs):
        raise ProtectedError("used by a scan", set())

    monkeypatch.setattr(Team, "delete", protected)
    with pytest.raises(DomainError) as error:
        services.delete_team(team, actor=admin_user)
    assert error.value.code == "team_in_use"
    assert Team.objects.filter(pk=team.pk).exists()
    assert org.audit_events.count() == 0
