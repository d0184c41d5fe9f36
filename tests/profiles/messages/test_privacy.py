"""A shopper's messages and email choices are in their data export and go with their erasure."""

from __future__ import annotations

from datetime import UTC

import pytest

from profiles.messages.models import Message, MessageKind, MessagePreference
from profiles.messages.services import message_create, message_opened, message_preference_set
from profiles.privacy import erasure, export
from tests.factories import ProductFactory, ShopperFactory

pytestmark = pytest.mark.django_db


def write(shopper, key: str) -> Message:
    message, _ = message_create(
        shopper=shopper,
        kind=MessageKind.BACK_IN_STOCK,
        subject="Back in stock: Mug",
        body="Mug is back.",
        dedupe_key=key,
        product=ProductFactory(),
    )
    return message


def test_the_export_holds_the_messages_and_the_email_choices():
    shopper = ShopperFactory()
    message = write(shopper, "mine")
    message_opened(message=message)
    preference = message_preference_set(shopper=shopper, emails={"price_drop": False})
    write(ShopperFactory(), "theirs")

    exported = export.shopper_export(shopper=shopper)

    message.refresh_from_db()
    assert exported["messages"] == [
        {
            "kind": "back_in_stock",
            "subject": "Back in stock: Mug",
            "body": "Mug is back.",
            "product": message.product_id,
            "at": message.created_at.astimezone(UTC).isoformat(),
            "emailed_at": None,
            "opened_at": message.opened_at.astimezone(UTC).isoformat(),
            "clicked_at": None,
            "read_at": None,
        }
    ]
    assert exported["message_preferences"] == [
        {
            "shopper": shopper.pk,
            "email_abandoned_cart": True,
            "email_back_in_stock": True,
            "email_price_drop": False,
            "at": preference.updated_at.astimezone(UTC).isoformat(),
        }
    ]


def test_erasure_deletes_the_messages_and_choices_and_nobody_elses(django_capture_on_commit_callbacks):
    shopper, bystander = ShopperFactory(), ShopperFactory()
    write(shopper, "mine")
    message_preference_set(shopper=shopper, emails={"price_drop": False})
    theirs = write(bystander, "theirs")
    message_preference_set(shopper=bystander, emails={"abandoned_cart": False})

    with django_capture_on_commit_callbacks(execute=True):
        report = erasure.shopper_erase(shopper=shopper, requested_by="admin:root")

    assert (report.stores["messages"], report.stores["message_preferences"]) == (1, 1)
    assert list(Message.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert list(MessagePreference.objects.values_list("shopper_id", flat=True)) == [bystander.pk]
