"""Keeping the roles true: each group's permissions as ``feedsite.roles.GRANTS`` says, and the
members of ``shoppers``, ``creators`` and ``merchants`` as the accounts' rows say.

Moderation sits above every app, so it is the one place that can read all those rows. The
services keep memberships current one account at a time (``account_create``, ``creator_review``,
``merchant_role_sync``); ``roles_sync`` redoes all of it at once: after every ``migrate`` and from
``manage.py roles --sync``.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, transaction

from content.models import Creator
from feedsite.roles import Role, role_group, roles_grant


@transaction.atomic
def roles_sync(*, permissions_exist: bool = False) -> dict[Role, int]:
    """Set every role's permissions (``roles_grant``) and the members of the roles that follow
    the data: ``shoppers`` (accounts with a shopper), ``creators`` (with an approved creator),
    ``merchants`` (listed as a brand's merchant). Staff roles keep their members. Returns how many
    permissions each role has."""
    counts = roles_grant(permissions_exist=permissions_exist)
    users = get_user_model().objects
    following = {
        Role.SHOPPERS: users.filter(shopper__isnull=False),
        Role.CREATORS: users.filter(creator__status=Creator.Status.APPROVED),
        Role.MERCHANTS: users.filter(merchant_brands__isnull=False).distinct(),
    }
    for role, members in following.items():
        role_group(role).user_set.set(members)
    return counts


def roles_sync_after_migrate(*, sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """``post_migrate``: a migrate that adds a model also gives its permissions to ``admins``.

    Runs once, on the signal of the last app with models (the signal is sent for those only): by
    then Django has made every app's permissions (its receiver runs before this one for each app)."""
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if using == DEFAULT_DB_ALIAS and sender is last:
        roles_sync(permissions_exist=True)
