"""`lerend token create|list|revoke`: personal API tokens, from the command line.

`create` prints the token and nothing else on stdout, so it can be captured:
`TOKEN=$(lerend token create an@example.org --label backup)`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.db import transaction
from django.utils import timezone

from accounts.models import TOKEN_PREFIX, ApiToken, User
from core.text import TextError, clean_name


def get_user(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(f"No user with the e-mail address {email}.")
    return user


def local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Issue a token; prints it once.")
        create.add_argument("email")
        create.add_argument("--label", default="command line", help="What the token is for.")
        listing = actions.add_parser("list", help="List a user's tokens.")
        listing.add_argument("email")
        revoke = actions.add_parser("revoke", help="Revoke the token with this prefix.")
        revoke.add_argument("prefix", help=f"The first 10 characters ({TOKEN_PREFIX}…).")

    @no_translations  # messages from Django and the services in English, like ours
    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, email: str, label: str, **options: Any) -> None:
        try:
            label = clean_name(label, max_length=100)
        except TextError:
            raise CommandError(
                "The label must be 1 to 100 characters long, without control characters."
            ) from None
        user = get_user(email)
        if not user.is_active:
            raise CommandError(f"The account {user.email} is deactivated.")
        token, raw = ApiToken.issue(user, label)
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.prefix}… for {user.email}. It is shown only this once; "
            "anyone holding it can act as this person through the API."
        )

    def handle_list(self, *, email: str, **options: Any) -> None:
        user = get_user(email)
        tokens = list(user.api_tokens.all())
        if not tokens:
            self.stdout.write(f"{user.email} has no API tokens.")
            return
        for token in tokens:
            status = "active" if token.is_active else f"revoked {local(token.revoked_at)}"
            used = local(token.last_used_at) if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}  {token.label}  created {local(token.created_at)}  "
                f"last used {used}  {status}"
            )

    def handle_revoke(self, *, prefix: str, **options: Any) -> None:
        prefix = prefix.strip().rstrip("…")
        with transaction.atomic():
            tokens = list(
                ApiToken.objects.select_for_update().select_related("user").filter(prefix=prefix)
            )
            if not tokens:
                raise CommandError(f"No token starts with {prefix}.")
            active = [token for token in tokens if token.is_active]
            if not active:
                self.stdout.write(f"Token {prefix}… was already revoked.")
                return
            if len(active) > 1:
                owners = ", ".join(sorted(token.user.email for token in active))
                raise CommandError(
                    f"{len(active)} active tokens start with {prefix} ({owners}); none was revoked."
                )
            active[0].revoke()
        self.stdout.write(f"Token {prefix}… of {active[0].user.email} is revoked.")
