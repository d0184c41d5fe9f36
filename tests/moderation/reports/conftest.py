"""Moderators' decisions as the queue takes them (the item's transition and its audit entry), and
shoppers who report."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from content.models import ContentItem
from content.services import content_hide, content_reject, content_remove
from moderation.audit import audit_record
from moderation.models import AuditEntry, ReasonCode
from profiles.models import Shopper
from profiles.services import shopper_for_user
from tests.factories import ShopperTrustFactory, UserFactory

Decide = Callable[..., AuditEntry]

_TRANSITION = {
    AuditEntry.Action.REJECT: content_reject,
    AuditEntry.Action.REMOVE: content_remove,
    AuditEntry.Action.HIDE: content_hide,
    # The system's: an automatic check's rejection, and reports hiding a post.
    AuditEntry.Action.SCREEN: content_reject,
    AuditEntry.Action.AUTO_HIDE: content_hide,
}


@pytest.fixture
def moderator(db) -> User:
    return UserFactory(username="mod-ines", is_staff=True)


@pytest.fixture
def decide(moderator) -> Decide:
    """``decide(item, action, by=moderator, reason_code=, note=)``: the item rejected, removed or hidden
    with the creator told the reason, and the decision in the audit log (``by=None``: the system)."""

    def decide_(
        item: ContentItem,
        action: str,
        *,
        by: User | None | str = "moderator",
        reason_code: str = ReasonCode.COUNTERFEIT,
        note: str = "The logo is not the brand's.",
    ) -> AuditEntry:
        actor = moderator if by == "moderator" else by
        _TRANSITION[action](item=item, reason=f"{ReasonCode(reason_code).label}: {note}")  # type: ignore[operator]
        return audit_record(actor=actor, action=action, target=item, reason_code=reason_code, note=note)  # type: ignore[arg-type]

    return decide_


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def shopper_with_trust(trust: float | None) -> Shopper:
    """A signed-in shopper; ``None``: no ``ShopperTrust`` row (fully trusted)."""
    shopper = shopper_for_user(user=UserFactory())
    if trust is not None:
        ShopperTrustFactory(shopper=shopper, trust=trust)
    return shopper
