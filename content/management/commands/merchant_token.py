"""``manage.py merchant_token USERNAME [--rotate]``: print the catalog-sync API token of a merchant."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.catalog.services import merchant_token_issue
from feedsite.errors import ApplicationError


class Command(BaseCommand):
    help = "Print the API token of a merchant account (one of a brand's merchants), creating it on first use."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="replace the token: the old one stops working")

    def handle(self, *args: Any, username: str, rotate: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No account is named {username!r}.")
        try:
            key = merchant_token_issue(user=user, rotate=rotate)
        except ApplicationError as refused:
            raise CommandError(refused.message) from refused
        self.stdout.write(key)
