from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail

from content.models import Product
from content.services import product_upsert
from profiles.events.consumer import EventConsumer
from profiles.events.models import Interaction
from profiles.messages.models import Message


@pytest.fixture(autouse=True)
def _eager(eager_celery: None, settings: Any) -> Iterator[None]:
    """Tasks run at once, emails go to ``mail.outbox``, links point at a known address."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://shop.example"
    return


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a block and then what it queued for after commit (signals, tasks), as production would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def product_set(product: Product, **changes: Any) -> None:
    """Change a product through the catalog's service (what sends ``product_changed``)."""
    fields = {"title": product.title, "price": product.price, "stock": product.stock, "active": product.active}
    product_upsert(external_id=product.external_id, **(fields | changes))


def messages() -> list[tuple[int, str, int | None]]:
    return list(Message.objects.order_by("pk").values_list("shopper_id", "kind", "product_id"))


def sent_to() -> list[str]:
    return [address for email in mail.outbox for address in email.to]


def recorded_events() -> list[tuple[str, int, int | None]]:
    """The interactions stored once the event stream is drained: (type, item, product)."""
    EventConsumer(name="messages-test", block_ms=0).drain()
    return list(Interaction.objects.order_by("pk").values_list("type", "content_id", "product_id"))
