from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from content.models import ContentItem, ContentProduct, Creator
from tests.factories import BrandFactory, ContentItemFactory, CreatorFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def _violates(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_product_external_id_is_unique():
    ProductFactory(external_id="sku-1")

    assert _violates(lambda: ProductFactory(external_id="sku-1"))


@pytest.mark.parametrize(("price", "stock"), [(Decimal("-0.01"), 1), (Decimal("1.00"), -1)])
def test_product_price_and_stock_cannot_be_negative(price, stock):
    assert _violates(lambda: ProductFactory(price=price, stock=stock))


def test_product_in_stock_needs_stock_and_active():
    assert ProductFactory(stock=3, active=True).in_stock is True
    assert ProductFactory(stock=0, active=True).in_stock is False
    assert ProductFactory(stock=3, active=False).in_stock is False


def test_creator_handle_is_unique_and_brand_account_needs_brand():
    CreatorFactory(handle="glow")

    assert _violates(lambda: CreatorFactory(handle="glow"))
    assert _violates(lambda: CreatorFactory(kind=Creator.Kind.BRAND, brand=None))
    assert not _violates(lambda: CreatorFactory(kind=Creator.Kind.BRAND, brand=BrandFactory()))


def test_published_item_needs_publish_time():
    assert _violates(lambda: ContentItemFactory(status=ContentItem.Status.PUBLISHED, published_at=None))


def test_video_and_image_need_a_creator_but_product_card_does_not():
    assert _violates(lambda: ContentItemFactory(kind=ContentItem.Kind.VIDEO, creator=None))
    assert not _violates(lambda: ContentItemFactory(kind=ContentItem.Kind.PRODUCT_CARD, creator=None))


def test_content_external_id_unique_but_may_be_missing_many_times():
    ContentItemFactory(external_id=None)
    ContentItemFactory(external_id=None)
    ContentItemFactory(external_id="item-1")

    assert _violates(lambda: ContentItemFactory(external_id="item-1"))


def test_a_product_appears_once_per_item_and_positions_do_not_collide():
    product, other = ProductFactory(), ProductFactory()
    item = ContentItemFactory(products=[product])

    assert _violates(lambda: ContentProduct.objects.create(content=item, product=product, position=5))
    assert _violates(lambda: ContentProduct.objects.create(content=item, product=other, position=0))
    assert [link.product for link in item.product_links.all()] == [product]


def test_tag_slug_is_unique():
    TagFactory(slug="serum")

    assert _violates(lambda: TagFactory(slug="serum"))
