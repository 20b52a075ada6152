"""Every change to organisations, members, invitations and teams goes through here.

Views, the API and the command line call these functions; each one runs in a transaction,
checks the rules (raising DomainError with a message for people), writes an AuditEvent and
leaves side effects such as e-mail to `transaction.on_commit`. Access (who may call what)
is checked by the caller, see orgs.access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError
from core.text import service_name

from .models import (
    ANONYMITY_FLOOR,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    Role,
    Team,
    hash_invitation_key,
)

ANONYMITY_MAXIMUM = 1000
NAME_MAX_LENGTH = 150
SLUG_MAX_LENGTH = 60
RESERVED_SLUGS = frozenset({"invitations", "new"})
"""Slugs that would clash with addresses under /o/."""

T = TypeVar("T")


# --- Audit log ------------------------------------------------------------------------


def record(
    organisation: Organisation, *, actor: Any, action: str, target_label: str = "", **data: Any
) -> AuditEvent:
    """Write one audit event. `data` must be JSON-serialisable and never hold answers."""
    with transaction.atomic():
        return AuditEvent.objects.create(
            organisation=organisation,
            actor=actor if actor is not None and actor.pk else None,
            actor_label=getattr(actor, "email", "") if actor is not None else "",
            action=action,
            target_label=target_label[:254],
            data=data,
        )


# --- Input checks shared by the web, the API and the command line ------------------------


def _clean_name(name: str | None) -> str:
    """core.text's rule for names: no control characters, lone surrogates or direction
    overrides, not empty or invisible (zero-width characters only), at most 150."""
    return service_name(name, max_length=NAME_MAX_LENGTH, empty_message=_("Enter a name."))


def _clean_slug(slug: str | None, *, exclude: Organisation | None = None) -> str:
    slug = (slug or "").strip().lower()
    try:
        validate_slug(slug)
    except ValidationError:
        raise DomainError(
            _("Use only letters, digits, hyphens and underscores in the short name."),
            code="slug_invalid",
        ) from None
    if len(slug) > SLUG_MAX_LENGTH:
        raise DomainError(
            _("The short name is too long (at most %(limit)d characters).")
            % {"limit": SLUG_MAX_LENGTH},
            code="slug_invalid",
        )
    taken = Organisation.objects.filter(slug=slug)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if slug in RESERVED_SLUGS or taken.exists():
        raise DomainError(_slug_taken_message(slug), code="slug_taken", status=409)
    return slug


def _slug_taken_message(slug: str) -> str:
    return _("The short name “%(slug)s” is already taken. Choose another one.") % {"slug": slug}


def _clean_language(language: str | None) -> str:
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the offered languages."), code="language_invalid")
    return language  # type: ignore[return-value]


def _clean_role(role: str | None) -> str:
    if role not in Role.values:
        raise DomainError(_("Choose one of the offered roles."), code="role_invalid")
    return role  # type: ignore[return-value]


def _clean_email(email: str | None) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), code="email_invalid") from None
    return email


def _clean_anonymity_minimum(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(_("The anonymity minimum must be a whole number."), code="invalid")
    if value < ANONYMITY_FLOOR:
        raise DomainError(
            _("The anonymity minimum cannot be lower than %(floor)d.") % {"floor": ANONYMITY_FLOOR},
            code="anonymity_below_floor",
        )
    if value > ANONYMITY_MAXIMUM:
        raise DomainError(
            _("The anonymity minimum cannot be higher than %(limit)d.")
            % {"limit": ANONYMITY_MAXIMUM},
            code="invalid",
        )
    return value


def _unique(save: Callable[[], T], message: str, code: str) -> T:
    """Run a write that a unique constraint may refuse when two requests race."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise DomainError(message, code=code, status=409) from None


# --- Organisations ----------------------------------------------------------------------


def create_organisation(*, name: str, slug: str, actor: Any, language: str = "nl") -> Organisation:
    """Create an organisation with `actor` as its first administrator."""
    with transaction.atomic():
        name = _clean_name(name)
        slug = _clean_slug(slug)
        language = _clean_language(language)
        organisation = _unique(
            lambda: Organisation.objects.create(name=name, slug=slug, language=language),
            _slug_taken_message(slug),
            "slug_taken",
        )
        Membership.objects.create(user=actor, organisation=organisation, role=Role.ADMIN)
        record(
            organisation,
            actor=actor,
            action="organisation.created",
            target_label=organisation.name,
            slug=slug,
            language=language,
        )
    return organisation


def update_organisation(
    organisation: Organisation,
    *,
    actor: Any,
    name: str,
    slug: str,
    language: str,
    anonymity_minimum: int,
) -> Organisation:
    with transaction.atomic():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        slug = _clean_slug(slug, exclude=current)
        wanted: dict[str, Any] = {
            "name": _clean_name(name),
            "slug": slug,
            "language": _clean_language(language),
            "anonymity_minimum": _clean_anonymity_minimum(anonymity_minimum),
        }
        changes = {
            field: [getattr(current, field), value]
            for field, value in wanted.items()
            if getattr(current, field) != value
        }
        if changes:
            for field, (_old, new) in changes.items():
                setattr(current, field, new)
            _unique(
                lambda: current.save(update_fields=list(changes)),
                _slug_taken_message(slug),
                "slug_taken",
            )
            record(
                current,
                actor=actor,
                action="organisation.updated",
                target_label=current.name,
                changes=changes,
            )
    for field, value in wanted.items():
        setattr(organisation, field, value)
    return current


# --- Invitations -----------------------------------------------------------------------


def invite_member(
    organisation: Organisation, *, email: str, role: str, actor: Any
) -> tuple[Invitation, str]:
    """Invite an address with a role; returns the invitation and its raw key (shown once).

    An open invitation to the same address is revoked and replaced. The e-mail with the
    accept link is sent by a task once the transaction has committed.
    """
    from .tasks import send_invitation_email

    email = _clean_email(email)
    role = _clean_role(role)
    with transaction.atomic():
        if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise DomainError(
                _("%(email)s is already a member of this organisation.") % {"email": email},
                code="already_member",
                status=409,
            )
        now = timezone.now()
        replaced = 0
        for old in Invitation.objects.select_for_update().filter(
            organisation=organisation,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ):
            replaced += int(old.is_pending)
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        raw_key = Invitation.new_key()
        invitation = _unique(
            lambda: Invitation.objects.create(
                organisation=organisation,
                email=email,
                role=role,
                key_hash=hash_invitation_key(raw_key),
                invited_by=actor if actor is not None and actor.pk else None,
                created_at=now,
                expires_at=Invitation.default_expiry(),
            ),
            _("Someone else just invited this address. Reload the page."),
            "invitation_conflict",
        )
        record(
            organisation,
            actor=actor,
            action="invitation.created",
            target_label=email,
            role=role,
            replaced=replaced,
        )
        transaction.on_commit(
            partial(send_invitation_email.enqueue, str(invitation.public_id), raw_key)
        )
    return invitation, raw_key


def find_invitation(raw_key: str) -> Invitation | None:
    """The invitation behind a raw key, in any state; None for an unknown key."""
    if not raw_key:
        return None
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(key_hash=hash_invitation_key(raw_key))
        .first()
    )


def check_invitation_usable(invitation: Invitation | None) -> Invitation:
    """Raise the DomainError that explains why an invitation cannot be accepted."""
    if invitation is None:
        raise DomainError(
            _("This invitation link is not valid. Check that you copied the whole link."),
            code="invitation_unknown",
            status=404,
        )
    if invitation.accepted_at is not None:
        raise DomainError(
            _("This invitation has already been used. An invitation link works only once."),
            code="invitation_used",
            status=410,
        )
    if invitation.revoked_at is not None:
        raise DomainError(
            _("This invitation was withdrawn. Ask the organisation for a new one."),
            code="invitation_revoked",
            status=410,
        )
    if invitation.is_expired:
        raise DomainError(
            _("This invitation has expired. Ask the person who invited you for a new one."),
            code="invitation_expired",
            status=410,
        )
    return invitation


def accept_invitation(raw_key: str, *, user: Any) -> Membership:
    """Make `user` a member with the invited role. A key can be used once."""
    with transaction.atomic():
        invitation = check_invitation_usable(
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(key_hash=hash_invitation_key(raw_key or ""))
            .first()
        )
        organisation = invitation.organisation
        if not user.is_active or (user.email or "").lower() != invitation.email.lower():
            raise DomainError(
                _(
                    "This invitation was sent to another e-mail address. "
                    "Log in with the address it was sent to."
                ),
                code="email_mismatch",
                status=403,
            )
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise DomainError(
                _("You are already a member of %(name)s.") % {"name": organisation.name},
                code="already_member",
                status=409,
            )
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        record(
            organisation,
            actor=user,
            action="invitation.accepted",
            target_label=user.email,
            role=invitation.role,
        )
    return membership


def revoke_invitation(invitation: Invitation, *, actor: Any) -> Invitation:
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.accepted_at is not None:
            raise DomainError(
                _("This invitation has already been accepted."), code="invitation_used", status=409
            )
        if current.revoked_at is not None:
            raise DomainError(
                _("This invitation was already withdrawn."), code="invitation_revoked", status=409
            )
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        record(
            current.organisation,
            actor=actor,
            action="invitation.revoked",
            target_label=current.email,
            role=current.role,
        )
    invitation.revoked_at = current.revoked_at
    return current


# --- Members ----------------------------------------------------------------------------


def _lock_member(membership: Membership) -> Membership:
    """Lock the organisation's administrators, then the member; fresh from the database."""
    list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    current = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organisation")
        .filter(pk=membership.pk)
        .first()
    )
    if current is None:
        raise DomainError(
            _("This person is no longer a member of the organisation."),
            code="not_a_member",
            status=404,
        )
    return current


def _is_last_admin(membership: Membership) -> bool:
    return (
        membership.role == Role.ADMIN
        and not Membership.objects.admins()
        .filter(organisation_id=membership.organisation_id, user__is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    )


def change_role(membership: Membership, *, role: str, actor: Any) -> Membership:
    role = _clean_role(role)
    with transaction.atomic():
        current = _lock_member(membership)
        old_role = current.role
        if old_role != role:
            if role != Role.ADMIN and _is_last_admin(current):
                raise DomainError(
                    _(
                        "An organisation needs at least one administrator. "
                        "Make someone else administrator first."
                    ),
                    code="last_admin",
                    status=409,
                )
            current.role = role
            current.save(update_fields=["role"])
            record(
                current.organisation,
                actor=actor,
                action="member.role_changed",
                target_label=current.user.email,
                old=old_role,
                new=role,
            )
    membership.role = role
    return current


def remove_member(membership: Membership, *, actor: Any) -> None:
    """Remove someone from the organisation. An admin may leave if another admin remains."""
    with transaction.atomic():
        current = _lock_member(membership)
        if _is_last_admin(current):
            raise DomainError(
                _(
                    "The last administrator cannot be removed. "
                    "Make someone else administrator first."
                ),
                code="last_admin",
                status=409,
            )
        record(
            current.organisation,
            actor=actor,
            action="member.removed",
            target_label=current.user.email,
            role=current.role,
        )
        current.delete()


def set_member_teams(membership: Membership, *, teams: Iterable[Team], actor: Any) -> Membership:
    teams = list(teams)
    if any(team.organisation_id != membership.organisation_id for team in teams):
        raise DomainError(
            _("A chosen team belongs to another organisation."), code="team_other_org"
        )
    with transaction.atomic():
        current = _lock_member(membership)
        before = {team.pk: team.name for team in current.teams.all()}
        after = {team.pk: team.name for team in teams}
        if before.keys() != after.keys():
            current.teams.set(teams)
            record(
                current.organisation,
                actor=actor,
                action="member.teams_changed",
                target_label=current.user.email,
                added=sorted(name for pk, name in after.items() if pk not in before),
                removed=sorted(name for pk, name in before.items() if pk not in after),
            )
    return current


# --- Teams ------------------------------------------------------------------------------


def _check_parent(organisation: Organisation, parent: Team | None) -> Team | None:
    if parent is None:
        return None
    fresh = Team.objects.filter(pk=parent.pk).first()
    if fresh is None or fresh.organisation_id != organisation.pk:
        raise DomainError(
            _("The chosen team belongs to another organisation."), code="parent_other_org"
        )
    return fresh


def _check_sibling_name(
    organisation: Organisation, name: str, parent: Team | None, exclude: Team | None = None
) -> None:
    siblings = Team.objects.filter(organisation=organisation, parent=parent, name__iexact=name)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if siblings.exists():
        raise DomainError(_team_name_taken_message(name), code="team_name_taken", status=409)


def _team_name_taken_message(name: str) -> str:
    return _("There is already a team called “%(name)s” in the same place.") % {"name": name}


def create_team(
    organisation: Organisation, *, name: str, actor: Any, parent: Team | None = None
) -> Team:
    name = _clean_name(name)
    with transaction.atomic():
        parent = _check_parent(organisation, parent)
        _check_sibling_name(organisation, name, parent)
        team = _unique(
            lambda: Team.objects.create(organisation=organisation, name=name, parent=parent),
            _team_name_taken_message(name),
            "team_name_taken",
        )
        record(
            organisation,
            actor=actor,
            action="team.created",
            target_label=team.name,
            parent=parent.name if parent else "",
        )
    return team


def update_team(team: Team, *, actor: Any, name: str, parent: Team | None) -> Team:
    """Rename a team and/or move it under another parent (None: to the top level)."""
    name = _clean_name(name)
    with transaction.atomic():
        current = (
            Team.objects.select_for_update(of=("self",)).select_related("parent").get(pk=team.pk)
        )
        organisation = current.organisation
        parent = _check_parent(organisation, parent)
        if parent is not None and (
            parent.pk == current.pk or current.pk in {a.pk for a in parent.ancestors()}
        ):
            raise DomainError(
                _("A team cannot be placed under itself or under one of its own sub-teams."),
                code="team_cycle",
            )
        _check_sibling_name(organisation, name, parent, exclude=current)
        changes: dict[str, list[str]] = {}
        if current.name != name:
            changes["name"] = [current.name, name]
        if current.parent_id != (parent.pk if parent else None):
            changes["parent"] = [
                current.parent.name if current.parent else "",
                parent.name if parent else "",
            ]
        if changes:
            current.name = name
            current.parent = parent
            _unique(
                lambda: current.save(update_fields=["name", "parent"]),
                _team_name_taken_message(name),
                "team_name_taken",
            )
            record(
                organisation,
                actor=actor,
                action="team.updated",
                target_label=current.name,
                changes=changes,
            )
    team.name, team.parent = current.name, current.parent
    return current


def known_people(team: Team) -> int:
    """People the team is known to have: its members, or the open scan invitations of one
    campaign for it if there are more (the same people are invited, not added)."""
    from django.apps import apps

    members = Membership.objects.filter(teams=team).count()
    invited = 0
    if apps.is_installed("scans"):
        from django.db.models import Count

        from scans.models import ScanInvitation

        counts = (
            ScanInvitation.objects.filter(node__team=team, used=False)
            .exclude(campaign__state="closed")
            .values("campaign_id")
            .annotate(n=Count("id"))
            .values_list("n", flat=True)
        )
        invited = max(counts, default=0)
    return max(members, invited)


def effective_headcount(team: Team) -> int | None:
    """The headcount a scan holds the team to: the admin's figure, never below the people
    known (None while unknown)."""
    if team.headcount is None:
        return None
    return max(team.headcount, known_people(team))


MAX_HEADCOUNT = 100_000


def set_team_headcount(team: Team, *, headcount: Any, actor: Any) -> Team:
    """Set (or clear with None) how many people the team has: a scan never accepts more
    responses for it. It cannot be set below its members and open invitations."""
    if headcount in (None, ""):
        value = None
    else:
        try:
            value = int(str(headcount).strip())
        except (TypeError, ValueError):
            raise DomainError(
                _("Enter the headcount as a whole number."), code="headcount_invalid"
            ) from None
        if isinstance(headcount, bool) or not 1 <= value <= MAX_HEADCOUNT:
            raise DomainError(
                _("The headcount is a whole number from 1 to %(max)d.") % {"max": MAX_HEADCOUNT},
                code="headcount_invalid",
            )
    with transaction.atomic():
        current = Team.objects.select_for_update().get(pk=team.pk)
        if value is not None:
            known = known_people(current)
            if value < known:
                raise DomainError(
                    ngettext(
                        "The team has %(n)d member or invited person already: the headcount "
                        "cannot be lower.",
                        "The team has %(n)d members or invited people already: the headcount "
                        "cannot be lower.",
                        known,
                    )
                    % {"n": known},
                    code="headcount_below_known",
                )
        if current.headcount != value:
            record(
                current.organisation,
                actor=actor,
                action="team.updated",
                target_label=current.name,
                changes={"headcount": [current.headcount, value]},
            )
            current.headcount = value
            current.save(update_fields=["headcount"])
    team.headcount = current.headcount
    return current


def delete_team(team: Team, *, actor: Any) -> None:
    with transaction.atomic():
        current = Team.objects.select_for_update().filter(pk=team.pk).first()
        if current is None:
            return
        if Team.objects.filter(parent=current).exists():
            raise DomainError(
                _("This team has sub-teams. Move or delete them first."),
                code="team_has_children",
                status=409,
            )
        record(
            current.organisation,
            actor=actor,
            action="team.deleted",
            target_label=current.name,
            members=current.memberships.count(),
        )
        try:
            with transaction.atomic():
                current.delete()
        except (ProtectedError, RestrictedError):
            raise DomainError(
                _("This team is still used elsewhere, for example in a scan, and stays."),
                code="team_in_use",
                status=409,
            ) from None
