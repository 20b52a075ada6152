"""`lerend demo`: a demo organisation to try lerend on your own machine.

Creates (once; running it again changes nothing) the organisation "Demo: Stad Lerendonk"
with departments and teams of different sizes, three people to log in as (admin,
facilitator, member) and colleagues without a login who fill the teams. The admin's
second factor (TOTP) is switched on with a fixed secret, so `lerend demo --code` can print
the current code. The password and the secret are public: the command refuses to run with
LEREND_ENV=production.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from orgs import services
from orgs.models import Membership, Organisation, Role, Team

from ._accounts import add_member, mark_email_verified

DEMO_SLUG = "demo"
DEMO_NAME = "Demo: Stad Lerendonk"
DEMO_DOMAIN = "demo.example.org"  # example.org is reserved: no real mailbox is ever hit
DEMO_PASSWORD = "leren-is-plezant"  # noqa: S105 (public on purpose, printed by the command)
DEMO_TOTP_SECRET = "LERENDDEMOLERENDDEMOLERENDDEMO22"  # noqa: S105 (idem)

ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
LOGINS: list[tuple[str, str, str, str | None]] = [
    # e-mail, name, role, team
    (ADMIN_EMAIL, "An Demeester", Role.ADMIN, None),
    (f"facilitator@{DEMO_DOMAIN}", "Fien Vermeulen", Role.FACILITATOR, "Groendienst"),
    (f"member@{DEMO_DOMAIN}", "Mo El Amrani", Role.MEMBER, "Onthaal en loket"),
]

# Departments and their teams with the number of people in each. The sizes differ on
# purpose: some teams are below the anonymity minimum (5), some above.
DEPARTMENTS = [
    ("Burgerzaken", [("Onthaal en loket", 7), ("Burgerlijke stand", 3)]),
    ("Technische dienst", [("Groendienst", 6), ("Wegen en riolering", 4), ("Gebouwen", 2)]),
    ("Welzijn", [("Kinderopvang", 8), ("Woonzorg", 5)]),
]

FIRST_NAMES = [
    "Lotte", "Wout", "Sien", "Jens", "Ine", "Bram", "Nora", "Stijn", "Elise", "Yusuf", "Griet",
]  # fmt: skip
LAST_NAMES = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems",
    "Claes", "Goossens", "Wouters", "De Smet", "Lambrechts", "Aerts",
]  # fmt: skip


def colleagues() -> list[tuple[str, str, str]]:
    """(e-mail, name, team) for everyone in a team who is not one of the three logins."""
    taken = {team: 1 for _email, _name, _role, team in LOGINS if team}
    people: list[tuple[str, str, str]] = []
    for _department, teams in DEPARTMENTS:
        for team, size in teams:
            for _ in range(size - taken.get(team, 0)):
                i = len(people)
                first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[i % len(LAST_NAMES)]
                local_part = f"{first}.{last}".lower().replace(" ", "")
                people.append((f"{local_part}@{DEMO_DOMAIN}", f"{first} {last}", team))
    return people


def current_code(secret: str) -> tuple[str, int]:
    """The TOTP code for now and the seconds it stays valid."""
    now = int(time.time())
    period = mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, now // period)), period - now % period


class Command(BaseCommand):
    help = "Create the demo organisation (idempotent); --code prints the demo admin's TOTP code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--code",
            action="store_true",
            help="Print the current second-factor code of the demo admin, nothing else.",
        )

    @no_translations  # messages from Django and the services in English, like ours
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "The demo has a public password and second factor; "
                "it is not available with LEREND_ENV=production."
            )
        if options["code"]:
            self.print_code()
            return
        with transaction.atomic():
            self.ensure_demo()
        self.print_summary()

    # --- Creating --------------------------------------------------------------------

    def ensure_demo(self) -> None:
        people = {}
        for email, name, _role, _team in LOGINS:
            people[email] = self.ensure_user(email, name, DEMO_PASSWORD)
        admin = people[ADMIN_EMAIL]

        organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
        if organisation is None:
            organisation = services.create_organisation(
                name=DEMO_NAME, slug=DEMO_SLUG, actor=admin, language="nl"
            )
        elif not Membership.objects.filter(
            organisation=organisation, user=admin, role=Role.ADMIN
        ).exists():
            raise CommandError(
                f"There is an organisation “{DEMO_SLUG}” that is not the demo "
                f"({ADMIN_EMAIL} is not its administrator); nothing was changed."
            )
        self.ensure_totp(admin)

        teams = self.ensure_teams(organisation, admin)
        for email, _name, role, team in LOGINS:
            if team is not None:
                self.ensure_member(organisation, people[email], role, teams[team], admin)
        for email, name, team in colleagues():
            user = self.ensure_user(email, name, None)
            self.ensure_member(organisation, user, Role.MEMBER, teams[team], admin)

    def ensure_user(self, email: str, name: str, password: str | None) -> User:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            # Without a password (None) the account cannot log in with one.
            user = User.objects.create_user(email, password, name=name)
            mark_email_verified(user)
        elif password and not user.check_password(password):
            self.stderr.write(f"Note: the password of {email} was changed; it is left as is.")
        return user

    def ensure_totp(self, admin: User) -> None:
        totp = Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).first()
        if totp is None:
            TOTP.activate(admin, DEMO_TOTP_SECRET)
        elif decrypt(totp.data["secret"]) != DEMO_TOTP_SECRET:
            self.stderr.write(
                f"Note: {ADMIN_EMAIL} has another authenticator; `lerend demo --code` "
                "cannot give its codes."
            )

    def ensure_teams(self, organisation: Organisation, admin: User) -> dict[str, Team]:
        def ensure(name: str, parent: Team | None) -> Team:
            team = Team.objects.filter(
                organisation=organisation, parent=parent, name__iexact=name
            ).first()
            return team or services.create_team(organisation, name=name, parent=parent, actor=admin)

        teams = {}
        for department, department_teams in DEPARTMENTS:
            parent = ensure(department, None)
            for name, _size in department_teams:
                teams[name] = ensure(name, parent)
        return teams

    def ensure_member(
        self, organisation: Organisation, user: User, role: str, team: Team, admin: User
    ) -> None:
        """Add a missing member with a role and team; an existing member is left alone."""
        if Membership.objects.filter(organisation=organisation, user=user).exists():
            return
        membership = add_member(organisation, user, role, actor=admin)
        services.set_member_teams(membership, teams=[team], actor=admin)

    # --- Printing --------------------------------------------------------------------

    def print_summary(self) -> None:
        site = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"The demo organisation “{DEMO_NAME}” is ready."))
        self.stdout.write(f"Open {site}/ and log in at {site}{reverse('account_login')}")
        for email, _name, role, _team in LOGINS:
            self.stdout.write(f"  {role:<12} {email}")
        self.stdout.write(f"Password (all three): {DEMO_PASSWORD}")
        self.stdout.write(
            "The admin also needs a code from the second factor: run `lerend demo --code`, "
            f"or add the secret {DEMO_TOTP_SECRET} to an authenticator app."
        )
        self.stdout.write(
            self.style.WARNING(
                "Warning: this password and secret are public. Use the demo on your own "
                "machine only, never on a server that others can reach."
            )
        )

    def print_code(self) -> None:
        admin = User.objects.filter(email__iexact=ADMIN_EMAIL).first()
        is_demo_admin = (
            admin is not None
            and Membership.objects.filter(
                user=admin, organisation__slug=DEMO_SLUG, role=Role.ADMIN
            ).exists()
        )
        if not is_demo_admin:
            raise CommandError("There is no demo here. Create it first with `lerend demo`.")
        totp = Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).first()
        if totp is None or decrypt(totp.data["secret"]) != DEMO_TOTP_SECRET:
            raise CommandError(
                f"The second factor of {ADMIN_EMAIL} is not the demo one; "
                "its codes are not printed."
            )
        code, seconds = current_code(DEMO_TOTP_SECRET)
        self.stdout.write(code)
        self.stderr.write(f"Valid for {seconds} more seconds.")
