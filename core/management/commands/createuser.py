"""`lerend createuser EMAIL --org SLUG --role ROLE`: an account with a role, from the shell.

For the first administrator of an installation (with --create-org) and for scripts. The
password comes from --password-file or is asked twice without echo; Django's password
validators apply. The e-mail address counts as verified: whoever runs this command
vouches for it. An existing account keeps its password and gets the membership.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import User
from core.errors import DomainError
from core.text import TextError, clean_name
from orgs import services
from orgs.models import Membership, Organisation, Role

from ._accounts import add_member, mark_email_verified


class Command(BaseCommand):
    help = "Create an account (or take an existing one) and give it a role in an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--org", required=True, metavar="SLUG", help="Organisation.")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--password-file",
            type=Path,
            metavar="FILE",
            help="Read the password from this file (first line). Without it you are asked.",
        )
        parser.add_argument("--name", default="", help="The person's name.")
        parser.add_argument(
            "--create-org",
            metavar="NAME",
            help="Create the organisation SLUG with this name if it does not exist.",
        )

    @no_translations  # messages from Django and the services in English, like ours
    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not a valid e-mail address.") from None
        try:
            name = clean_name(options["name"], max_length=150, required=False)
        except TextError as exc:
            raise CommandError(f"The name cannot be used: {exc.message}") from None
        name = " ".join(name.split())
        slug, role = options["org"].strip().lower(), options["role"]

        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None and not options["create_org"]:
            raise CommandError(
                f"There is no organisation “{slug}”. "
                "Check the short name, or add --create-org NAME to create it."
            )
        if organisation is None and role != Role.ADMIN:
            raise CommandError("A new organisation needs an administrator first: use --role admin.")
        if organisation is not None and options["create_org"]:
            self.stderr.write(f"The organisation “{slug}” exists already; using it.")

        user = User.objects.filter(email__iexact=email).first()
        password = None
        if user is None:
            password = self.read_password(options["password_file"], email, name)
        elif options["password_file"]:
            self.stderr.write(f"{user.email} exists already; the password is not changed.")
        if user is not None and not user.is_active:
            raise CommandError(f"The account {user.email} is deactivated.")

        try:
            with transaction.atomic():
                created = user is None
                if user is None:
                    user = User.objects.create_user(email, password, name=name)
                elif name and not user.name:
                    user.name = name
                    user.save(update_fields=["name"])
                mark_email_verified(user)
                if organisation is None:
                    organisation = services.create_organisation(
                        name=options["create_org"], slug=slug, actor=user
                    )
                    membership = Membership.objects.get(organisation=organisation, user=user)
                else:
                    membership = add_member(organisation, user, role, actor=None)
        except DomainError as error:
            raise CommandError(error.message) from None

        if created:
            self.stdout.write(f"Created the account {user.email} (e-mail address verified).")
        self.stdout.write(
            f"{user.email} is {membership.role} of {organisation.name} ({organisation.slug})."
        )

    def read_password(self, path: Path | None, email: str, name: str) -> str:
        if path is not None:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Cannot read the password file: {error}") from None
            lines = text.splitlines()
            password = lines[0] if lines else ""
        elif sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ; nothing was changed.")
        else:
            raise CommandError(
                "No password: use --password-file FILE, or run the command in a terminal."
            )
        if not password:
            raise CommandError("The password is empty; nothing was changed.")
        try:
            validate_password(password, User(email=email, name=name))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        return password
