"""The users of the permission matrix (``test_permissions.py``, ``test_api_permissions.py``).

One per role, made the way the site makes them (sign-up, an approved application, a brand's
merchant list, a staff account given the role), plus an anonymous client and a superuser.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from content.catalog.services import merchant_role_sync
from content.studio.services import creator_apply, creator_review
from feedsite.roles import Role, role_join
from profiles.services import account_create, shopper_for_user
from tests.factories import BrandFactory, UserFactory

ANONYMOUS, SUPERUSER = "anonymous", "superuser"
ROLES = (ANONYMOUS, *(role.value for role in Role), SUPERUSER)
STAFF = frozenset({Role.MODERATORS.value, Role.MARKETERS.value, Role.ADMINS.value, SUPERUSER})
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
# The merchant's brand: the catalog calls act on its products.
MERCHANT_BRAND = "acme"


def actor_make(role: str) -> User | None:
    """The user of ``role`` (one of ``ROLES``); ``None`` for anonymous."""
    if role == ANONYMOUS:
        return None
    if role in STAFF:
        user = UserFactory(username=role, is_staff=True, is_superuser=role == SUPERUSER)
        if role != SUPERUSER:
            role_join(user=user, role=Role(role))
        # Any account's first request makes its shopper (``shopper_for_user``): made here, so that
        # the rows a refused call must leave alone are the ones it could change.
        shopper_for_user(user=user)
        return user
    user = account_create(username=role, email=f"{role}@example.com", password="pw-long-enough", visitor_id=None)
    if role == Role.CREATORS.value:
        creator_review(creator=creator_apply(user=user, handle="maker", display_name="Maker"), approve=True)
    if role == Role.MERCHANTS.value:
        BrandFactory(slug=MERCHANT_BRAND).merchants.add(user)
        merchant_role_sync(users=[user])
    return user


def role_of(user: User | None) -> str:
    """The ``ROLES`` name of a user made by ``actor_make``."""
    if user is None:
        return ANONYMOUS
    return SUPERUSER if user.is_superuser else user.get_username()
