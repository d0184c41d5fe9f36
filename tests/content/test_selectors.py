"""Reads of the content domain that other apps rely on for their query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content import selectors
from content.models import ContentItem, Tag
from tests.factories import BrandFactory, ContentItemFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_items_are_described_in_one_query_whatever_their_status():
    brand, own_brand = BrandFactory(), BrandFactory()
    tags = [TagFactory(), TagFactory()]
    showing = ContentItemFactory(caption="Linen", tags=tags, products=[ProductFactory(brand=brand), ProductFactory()])
    removed = ContentItemFactory(caption="", brand=own_brand, status=ContentItem.Status.REMOVED)

    with CaptureQueriesContext(connection) as queries:
        described = selectors.items_described([showing.pk, removed.pk, 0])

    assert len(queries) == 1
    assert {d.pk: (d.caption, d.creator, d.brand, set(d.tags)) for d in described} == {
        # without a brand of its own, the brand of its first product
        showing.pk: ("Linen", showing.creator_id, brand.pk, {tag.pk for tag in tags}),
        removed.pk: ("", removed.creator_id, own_brand.pk, set()),
    }


def test_each_category_tag_has_the_root_of_its_chain():
    root = TagFactory(kind=Tag.Kind.CATEGORY)
    child = TagFactory(kind=Tag.Kind.CATEGORY, parent=root)
    grandchild = TagFactory(kind=Tag.Kind.CATEGORY, parent=child)
    TagFactory(kind=Tag.Kind.TOPIC, parent=root)  # not a category

    assert selectors.category_roots() == {root.pk: root.pk, child.pk: root.pk, grandchild.pk: root.pk}
