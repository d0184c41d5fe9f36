"""The six roles: Django groups that say who may do what (``docs/roles.md``).

Every app may import this module (it imports no app). It names the roles and their intent, holds
the live grants table ``GRANTS`` (permission names as strings, so naming a permission of a higher
app imports nothing), and offers the writes on groups:

- ``role_join`` / ``role_leave``: a user's membership, called by the services that make a user a
  shopper, an approved creator or a merchant (those memberships follow the user's rows; the staff
  roles are given by hand in the user admin).
- ``roles_grant``: create the groups and set each one's permissions to exactly ``GRANTS``.

The groups are code: ``roles_grant`` runs after every ``migrate`` and from ``manage.py roles
--sync``, and undoes permissions added to a role's group by hand. A change to ``GRANTS`` comes with
a new migration ``moderation/migrations/NNNN_roles.py`` holding a copy of it (migrations never
import live code); ``tests/feedsite/test_roles.py`` fails until the copy and the table agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction

from feedsite.errors import ApplicationError


class Role(StrEnum):
    """A role is the Django group of the same name."""

    SHOPPERS = "shoppers"
    CREATORS = "creators"
    MERCHANTS = "merchants"
    MODERATORS = "moderators"
    MARKETERS = "marketers"
    ADMINS = "admins"


INTENT: dict[Role, str] = {
    Role.SHOPPERS: "Signed-up shoppers: the feed, likes, follows, cart, comments, reports. No admin access.",
    Role.CREATORS: "Approved creators: the studio (their posts, stats, appeals). No admin access.",
    Role.MERCHANTS: "Accounts linked to a brand as merchants: the catalog sync API with a token. No admin access.",
    Role.MODERATORS: (
        "Review what is posted in the admin: items, comments, creators' standing and blocks, the queue, "
        "reports, appeals, rules, screenings, the classifier, the audit log and shoppers' trust."
    ),
    Role.MARKETERS: (
        "Shape the feed in the admin: content-mix policies, experiments (start and stop, layers, the "
        "holdout, results), the feed's KPIs, shopper segments, the served-feed log, previewing the feed "
        "as a shopper; read content."
    ),
    Role.ADMINS: "Everything in the admin, including activating a ranker model and managing accounts and roles.",
}

# The roles whose members work in the admin: a member needs "Staff status" to sign in there.
STAFF_ROLES = frozenset({Role.MODERATORS, Role.MARKETERS, Role.ADMINS})

# Grants every permission of every installed app, present and future.
ALL_PERMISSIONS = "*"


def _crud(label: str, *actions: str) -> tuple[str, ...]:
    app, model = label.split(".")
    return tuple(f"{app}.{action}_{model}" for action in actions)


_READ_CONTENT = (
    *_crud("content.contentitem", "view"),
    *_crud("content.creator", "view"),
    *_crud("content.brand", "view"),
    *_crud("content.product", "view"),
    *_crud("content.tag", "view"),
)

# Each role's permissions as "app_label.codename". Shoppers, creators and merchants get none: what
# they may do is checked by the APIs against their own rows (their creator, their brands).
GRANTS: dict[Role, tuple[str, ...] | str] = {
    Role.SHOPPERS: (),
    Role.CREATORS: (),
    Role.MERCHANTS: (),
    Role.MODERATORS: (
        *_READ_CONTENT,
        # Content review: the item workflow, comments, creator applications.
        "content.change_contentitem",
        *_crud("content.comment", "view", "change"),
        "content.review_creator",
        # Creators' standing: block ("add" blocks a creator without a standing row) and unblock.
        *_crud("moderation.creatorstanding", "view", "add", "change"),
        "moderation.view_creatordecision",
        # The queue, reports and appeals.
        *_crud("moderation.case", "view", "change"),
        "moderation.review_case",
        *_crud("moderation.report", "view", "change"),
        *_crud("moderation.appeal", "view", "change"),
        # The automatic checks: rules are tuned by moderators, created and deleted by admins.
        *_crud("moderation.rule", "view", "change"),
        "moderation.view_screening",
        "moderation.view_classifierversion",
        "moderation.view_mediafingerprint",
        # The audit log.
        "moderation.view_auditentry",
        "moderation.view_audit_log",
        # Shoppers' trust (who reported, who looks automated).
        *_crud("moderation.shoppertrust", "view", "change"),
        "profiles.view_shopper",
    ),
    Role.MARKETERS: (
        *_READ_CONTENT,
        # The content mix.
        *_crud("ranking.mixpolicy", "view", "add", "change", "delete"),
        *_crud("ranking.mixrule", "view", "add", "change", "delete"),
        *_crud("ranking.merchtrigger", "view", "add", "change", "delete"),
        # Experiments, and starting and stopping them.
        *_crud("experiments.experiment", "view", "add", "change", "delete"),
        *_crud("experiments.variant", "view", "add", "change", "delete"),
        "experiments.start_experiment",
        # Layers (who may share shoppers) and the global holdout; deleting a layer is an admin's.
        *_crud("experiments.layer", "view", "add", "change"),
        *_crud("experiments.holdout", "view", "change"),
        # The feed's KPIs and the shopper segments, recomputed on demand.
        "kpis.view_kpiday",
        "segments.view_segment",
        "segments.view_segmentrun",
        "segments.recompute_segments",
        # What the feed served and why, the ranker models (not their activation), the preview.
        "ranking.view_feedrequest",
        "ranking.view_rankermodel",
        "ranking.preview_feed",
    ),
    Role.ADMINS: ALL_PERMISSIONS,
}


def role_group(role: Role) -> Group:
    """The role's group (created if a database has not been migrated with the roles yet)."""
    return Group.objects.get_or_create(name=role.value)[0]


def role_join(*, user: AbstractBaseUser, role: Role) -> None:
    """``user`` becomes a member of ``role`` (nothing happens if they already are)."""
    user.groups.add(role_group(role))  # type: ignore[attr-defined]


def role_leave(*, user: AbstractBaseUser, role: Role) -> None:
    """``user`` stops being a member of ``role`` (nothing happens if they were not)."""
    user.groups.remove(*Group.objects.filter(name=role.value))  # type: ignore[attr-defined]


def roles_of(user: AbstractBaseUser) -> list[Role]:
    """The roles ``user`` is a member of, in ``Role`` order."""
    names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
    return [role for role in Role if role.value in names]


def grants_resolve(grants: Iterable[str]) -> list[Permission]:
    """The permissions named "app_label.codename"; ``ApplicationError`` naming any that do not exist."""
    wanted = set(grants)
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={name.partition(".")[2] for name in wanted}
        )
    }
    missing = sorted(wanted - set(found))
    if missing:
        raise ApplicationError(f"Unknown permissions in the grants: {', '.join(missing)}.", code="unknown_permission")
    return [found[name] for name in sorted(wanted)]


def role_permissions(role: Role) -> list[Permission]:
    """What ``GRANTS`` gives ``role``, as permission rows (every one for ``ALL_PERMISSIONS``)."""
    grant = GRANTS[role]
    if grant == ALL_PERMISSIONS:
        return list(Permission.objects.select_related("content_type").order_by("content_type__app_label", "codename"))
    return grants_resolve(grant)


@transaction.atomic
def roles_grant(*, permissions_exist: bool = False) -> dict[Role, int]:
    """Create every role's group and set its permissions to exactly what ``GRANTS`` says; creates
    the installed apps' permissions first (unless ``permissions_exist``: after ``migrate`` has),
    so that it works on a database just migrated. Refuses (nothing changed) when a grant names a
    permission that does not exist. Returns how many permissions each role has."""
    if not permissions_exist:
        for app_config in global_apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
    resolved = {role: role_permissions(role) for role in Role}
    for role, permissions in resolved.items():
        role_group(role).permissions.set(permissions)
    return {role: len(permissions) for role, permissions in resolved.items()}
