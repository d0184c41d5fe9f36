"""A newcomer's page follows the time of day: context-aware popularity, learned by the ranker."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from content.models import Tag
from profiles.models import Shopper
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
    for _ in range(60):
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
