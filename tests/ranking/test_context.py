"""A newcomer's page: the interests they picked first, then what is engaged with at this time of day."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone

from content.models import Tag
from profiles.models import Interest, Shopper
from ranking import serving
from ranking.training import ranker_train
from tests.factories import ContentItemFactory, InteractionFactory, ShopperFactory
from tests.ranking.test_serving import OPEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ranker_storage")]


def test_a_newcomers_page_leads_with_what_is_engaged_with_at_this_time_of_day():
    rng = np.random.default_rng(5)
    evening_cat = Tag.objects.create(slug="evening", name="Evening", kind=Tag.Kind.CATEGORY)
    morning_cat = Tag.objects.create(slug="morning", name="Morning", kind=Tag.Kind.CATEGORY)
    evening = [ContentItemFactory(tags=[evening_cat]) for _ in range(12)]
    morning = [ContentItemFactory(tags=[morning_cat]) for _ in range(12)]
    start = datetime(2026, 9, 1, tzinfo=UTC)
    # 100 shoppers: with fewer, the hour's counters of the replay cuts can stand in for the part of
    # the day in so small a model, and the page asked two days after the data follows neither
    for _ in range(100):
        shopper = ShopperFactory()
        for day in sorted(rng.choice(60, 16, replace=False).tolist()):
            at_evening = rng.random() < 0.5
            pool = evening if at_evening else morning
            when = start + timedelta(days=day, hours=20 if at_evening else 8, minutes=int(rng.integers(50)))
            InteractionFactory(shopper=shopper, content=pool[int(rng.integers(12))], type="like", occurred_at=when)
    ranker_train(activate="always", rounds=60)
    newcomer = Shopper(personalization=False)
    end = start + timedelta(days=61)

    def evening_cards_first(hour):
        """How many of the newcomer's first 8 cards are evening items, asked at ``hour`` o'clock."""
        at = (end + timedelta(hours=hour)).timestamp()
        ranked = serving.rank(shopper=newcomer, exclude=set(), size=8, policy=OPEN, first_page=True, when=at)
        return sum(slot.candidate.item in {item.pk for item in evening} for slot in ranked.slots)

    in_the_evening, in_the_morning = evening_cards_first(20), evening_cards_first(8)

    assert in_the_evening >= 6  # mostly what is engaged with in the evening
    assert in_the_morning <= 4  # at least as much of the morning's
    assert in_the_evening > in_the_morning


def test_a_newcomers_page_leads_with_the_interests_they_picked(shop):
    cats, items, shoppers = shop
    start = min(i.occurred_at for s, _ in shoppers for i in s.interactions.all()) - timedelta(days=1)
    for shopper, favourite in shoppers:  # picked at onboarding, before their history: training sees them
        Interest.objects.create(shopper=shopper, tag=cats[favourite])
    for n in range(40):  # shoppers who came lately: all they did is after the training's global cuts
        latecomer, favourite = ShopperFactory(), n % 4
        Interest.objects.create(shopper=latecomer, tag=cats[favourite])
        for k in range(3):
            when = timezone.now() - timedelta(hours=n + k)
            InteractionFactory(shopper=latecomer, content=items[favourite][(n + k) % 12], type="like", occurred_at=when)
    Interest.objects.update(created_at=start)
    ranker_train(activate="always", rounds=40)

    def picked_first(newcomer, category):
        ranked = serving.rank(shopper=newcomer, exclude=set(), size=8, policy=OPEN, first_page=True)
        return sum(slot.candidate.item in {item.pk for item in items[category]} for slot in ranked.slots)

    newcomer, unsure = ShopperFactory(), ShopperFactory()
    Interest.objects.create(shopper=newcomer, tag=cats[2])

    assert picked_first(newcomer, 2) >= 6
    assert picked_first(unsure, 2) <= 4  # without the pick, category 2 has no special place
