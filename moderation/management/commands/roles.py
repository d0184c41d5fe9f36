"""``manage.py roles [--sync]``: the roles with their intent, members and permissions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from feedsite.roles import INTENT, STAFF_ROLES, Role, role_group
from moderation.roles import roles_sync


class Command(BaseCommand):
    help = (
        "List the roles (groups) with their intent, members and permissions. --sync first sets each "
        "role's permissions to the grants table and the shoppers/creators/merchants members to the data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sync", action="store_true", help="re-sync permissions and memberships first")

    def handle(self, *args: Any, sync: bool = False, **options: Any) -> None:
        if sync:
            counts = roles_sync()
            self.stdout.write(
                "Synced: " + ", ".join(f"{role.value} {count} permissions" for role, count in counts.items())
            )
        for role in Role:
            group = role_group(role)
            members = group.user_set.all()
            self.stdout.write(f"\n{role.value}: {INTENT[role]}")
            self.stdout.write(f"  members: {members.count()}")
            if role in STAFF_ROLES:
                not_staff = sorted(members.filter(is_staff=False).values_list("username", flat=True))
                if not_staff:
                    self.stdout.write(f"  without staff status (cannot sign in to the admin): {', '.join(not_staff)}")
            names = sorted(
                f"{app}.{codename}"
                for app, codename in group.permissions.values_list("content_type__app_label", "codename")
            )
            self.stdout.write(f"  permissions ({len(names)}): {', '.join(names) if names else 'none'}")
