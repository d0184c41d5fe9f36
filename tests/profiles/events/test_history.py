import pytest
from django.conf import settings

from content.models import ContentItem
from profiles.events import history, tasks
from tests.factories import ContentItemFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_engagement_refresh_counts_interactions_per_item():
    busy, quiet = ContentItemFactory(), ContentItemFactory()
    InteractionFactory.create_batch(3, content=busy)

    history.engagement_refresh()

    assert ContentItem.objects.get(pk=busy.pk).engagement == 3
    assert ContentItem.objects.get(pk=quiet.pk).engagement == 0


def test_the_scheduled_engagement_refresh_writes_only_the_counts_that_changed():
    busy, quiet = ContentItemFactory(), ContentItemFactory()
    InteractionFactory.create_batch(2, content=busy)
    assert tasks.refresh_engagement.apply().get() == 1  # busy: 0 → 2; quiet stays 0

    InteractionFactory(content=quiet)

    assert tasks.refresh_engagement.apply().get() == 1
    assert [ContentItem.objects.get(pk=i.pk).engagement for i in (busy, quiet)] == [2, 1]
    assert "profiles.refresh_engagement" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
