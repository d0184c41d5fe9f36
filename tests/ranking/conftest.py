"""Fixtures of the ranking tests: a small shop with real taste structure, isolated model storage."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from content.models import Tag
from tests.factories import ContentItemFactory, InteractionFactory, ShopperFactory


@pytest.fixture
def ranker_storage(settings, tmp_path):
    """Trained models saved to a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def shop():
    """4 categories × 12 items; 40 shoppers each loyal to one category, interacting over 60 days."""
    rng = np.random.default_rng(3)
    cats = [Tag.objects.create(slug=f"cat-{c}", name=f"Category {c}", kind=Tag.Kind.CATEGORY) for c in range(4)]
    items = {c: [ContentItemFactory(tags=[cats[c]]) for _ in range(12)] for c in range(4)}
    start = timezone.now() - timedelta(days=60)
    shoppers = []
    for s in range(40):
        shopper = ShopperFactory()
        favourite = s % 4
        for step in range(14):
            pool = items[favourite] if rng.random() < 0.85 else items[int(rng.integers(4))]
            item = pool[int(rng.integers(len(pool)))]
            when = start + timedelta(days=int(step * 4 + rng.integers(3)), hours=s % 24)
            InteractionFactory(shopper=shopper, content=item, type="like", occurred_at=when)
        shoppers.append((shopper, favourite))
    return cats, items, shoppers
