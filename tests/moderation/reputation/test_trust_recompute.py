"""The incremental trust recompute: only shoppers with new events, from their window; weights pushed to the store."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from feedsite import realtime
from moderation.models import ReputationCursor, ShopperTrust
from moderation.reputation.services import shopper_trust_advance, shopper_trust_reconcile
from profiles.events import state
from profiles.events.models import Interaction
from tests.factories import ContentItemFactory, InteractionFactory, ShopperFactory

pytestmark = pytest.mark.django_db


def _later(minutes: int = 5):
    return timezone.now() + timedelta(minutes=minutes)


def _events(shopper, offsets, kinds, items):
    """Store one event per offset (seconds before now), of the kinds and on the items given in turn."""
    now = timezone.now()
    rows = [
        InteractionFactory.build(
            shopper=shopper,
            content=items[n % len(items)],
            type=kinds[n % len(kinds)],
            occurred_at=now - timedelta(seconds=s),
        )
        for n, s in enumerate(offsets)
    ]
    return Interaction.objects.bulk_create(rows)


def _human_offsets(n: int) -> list[float]:
    gaps = np.random.default_rng(3).lognormal(mean=1.5, sigma=1.2, size=n)
    return sorted((np.cumsum(gaps) + 60.0).tolist(), reverse=True)


def test_a_scripted_regular_burst_loses_trust_and_counts_less_while_a_human_keeps_full_trust(
    django_capture_on_commit_callbacks,
):
    bot, human = ShopperFactory(), ShopperFactory()
    items = ContentItemFactory.create_batch(3)
    _events(bot, [600 - 0.5 * k for k in range(200)], ["impression", "view"], items)
    _events(human, _human_offsets(200), ["impression", "view", "impression", "like"], items)

    with django_capture_on_commit_callbacks(execute=True):
        assert shopper_trust_advance(now=_later()) == 2

    scripted = ShopperTrust.objects.get(shopper=bot)
    assert (scripted.events, scripted.impressions, scripted.peak_per_minute) == (200, 100, 120)
    assert scripted.gap_cv == pytest.approx(0.0, abs=1e-6)
    assert scripted.trust == scripted.computed < 0.01
    person = ShopperTrust.objects.get(shopper=human)
    assert (person.events, person.actions, person.unexposed_actions) == (200, 50, 0)
    assert person.gap_cv > 1.0
    assert person.trust == 1.0
    assert state.shopper_count_weights([bot.pk, human.pk]) == {bot.pk: pytest.approx(scripted.trust, rel=1e-5)}


def test_likes_and_carts_on_items_never_shown_are_unexposed_actions():
    shopper = ShopperFactory()
    shown, unseen = ContentItemFactory(), ContentItemFactory()
    _events(shopper, [300, 290], ["impression", "like"], [shown])  # seen, then liked
    _events(shopper, [280, 270, 260], ["like", "add_to_cart", "share"], [unseen])
    _events(shopper, [250, 240], ["like", "impression"], [ContentItemFactory()])  # liked before it was shown

    shopper_trust_advance(now=_later())

    row = ShopperTrust.objects.get(shopper=shopper)
    assert (row.actions, row.unexposed_actions) == (5, 4)
    assert row.trust == pytest.approx(1 - 4 / 10)


def test_a_second_run_recomputes_only_shoppers_with_new_events():
    busy, idle = ShopperFactory(), ShopperFactory()
    item = ContentItemFactory()
    _events(busy, [100], ["view"], [item])
    _events(idle, [100], ["view"], [item])
    shopper_trust_advance(now=_later(5))
    idle_before = ShopperTrust.objects.get(shopper=idle).computed_at

    last = _events(busy, [50], ["like"], [item])[-1]
    assert shopper_trust_advance(now=_later(10)) == 1

    assert ReputationCursor.objects.get(name="shoppers").last_id == last.pk
    assert ShopperTrust.objects.get(shopper=busy).events == 2
    assert ShopperTrust.objects.get(shopper=idle).computed_at == idle_before
    assert shopper_trust_advance(now=_later(15)) == 0


def test_events_outside_the_window_are_not_read(settings):
    settings.MODERATION_TRUST_WINDOW_DAYS = 1
    shopper = ShopperFactory()
    _events(shopper, [3 * 86400, 100], ["like", "view"], [ContentItemFactory()])

    shopper_trust_advance(now=_later())

    assert ShopperTrust.objects.values_list("events", "actions").get(shopper=shopper) == (1, 0)


def test_only_the_latest_events_are_read(settings):
    settings.MODERATION_TRUST_MAX_EVENTS = 3
    shopper = ShopperFactory()
    _events(shopper, [500, 400, 300, 200, 100], ["like", "like", "view", "view", "view"], [ContentItemFactory()])

    shopper_trust_advance(now=_later())

    assert ShopperTrust.objects.values_list("events", "actions").get(shopper=shopper) == (3, 0)


def test_a_recovered_shopper_is_put_back_at_full_weight_and_the_reconciliation_pushes_weights_again(
    django_capture_on_commit_callbacks,
):
    shopper = ShopperFactory()
    item = ContentItemFactory()
    _events(shopper, [600 - 0.5 * k for k in range(100)], ["view"], [item])
    with django_capture_on_commit_callbacks(execute=True):
        shopper_trust_advance(now=_later())
    assert shopper.pk in state.shopper_count_weights([shopper.pk])

    realtime.client().flushdb()  # the store lost its state
    with django_capture_on_commit_callbacks(execute=True):
        assert shopper_trust_reconcile(now=_later()) == 1
    assert shopper.pk in state.shopper_count_weights([shopper.pk])

    # A week later the burst has left the window: full trust, full weight.
    with django_capture_on_commit_callbacks(execute=True):
        assert shopper_trust_reconcile(now=_later(8 * 24 * 60)) == 1
    assert ShopperTrust.objects.get(shopper=shopper).trust == 1.0
    assert state.shopper_count_weights([shopper.pk]) == {}
