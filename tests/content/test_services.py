import threading
from decimal import Decimal

import pytest
from django.db import connections, transaction

from content import services, signals
from content.models import ContentItem, Product, Tag
from feedsite.errors import ApplicationError
from tests.factories import ContentItemFactory, CreatorFactory, ProductFactory

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


def test_content_create_makes_a_draft_with_ordered_products_and_tags():
    creator = CreatorFactory()
    first, second = ProductFactory(), ProductFactory()
    tag = services.tag_ensure(name="Minimal")

    item = services.content_create(
        kind=ContentItem.Kind.VIDEO, creator=creator, caption="Morning routine", products=[second, first], tags=[tag]
    )

    assert item.status == Status.DRAFT
    assert [link.product for link in item.product_links.order_by("position")] == [second, first]
    assert list(item.tags.all()) == [tag]


def test_content_create_refuses_a_video_without_creator():
    with pytest.raises(ApplicationError, match="need a creator"):
        services.content_create(kind=ContentItem.Kind.VIDEO)

    assert ContentItem.objects.count() == 0


def test_workflow_from_draft_to_published_stamps_each_step():
    item = ContentItemFactory(status=Status.DRAFT, published_at=None)

    item = services.content_submit(item=item)
    item = services.content_publish(item=item)

    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert item.submitted_at is not None
    assert item.published_at is not None
    assert item.submitted_at <= item.published_at


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (Status.DRAFT, services.content_publish),
        (Status.REMOVED, services.content_publish),
        (Status.PUBLISHED, services.content_reject),
        (Status.REMOVED, services.content_submit),
        # Its media goes to review by itself once processed.
        (Status.PROCESSING, services.content_submit),
        (Status.FAILED, services.content_publish),
    ],
)
def test_disallowed_transition_is_refused_and_changes_nothing(start, action):
    item = ContentItemFactory(status=start)
    before = ContentItem.objects.values().get(pk=item.pk)

    with pytest.raises(ApplicationError) as refused:
        action(item=item)

    assert refused.value.code == "invalid_transition"
    assert ContentItem.objects.values().get(pk=item.pk) == before


def test_removed_item_keeps_its_publish_time_and_gets_removed_time():
    item = ContentItemFactory(status=Status.PUBLISHED)

    removed = services.content_remove(item=item)

    assert removed.status == Status.REMOVED
    assert removed.removed_at is not None
    assert removed.published_at == item.published_at


def test_category_path_creates_hierarchy_once():
    tags = services.tag_category_path_ensure(path="Beauty > Skin > Serum")
    again = services.tag_category_path_ensure(path="Beauty > Skin > Serum")

    assert [t.name for t in tags] == ["Beauty", "Skin", "Serum"]
    assert [t.parent for t in tags] == [None, tags[0], tags[1]]
    assert {t.kind for t in tags} == {Tag.Kind.CATEGORY}
    assert again == tags
    assert Tag.objects.count() == 3


def test_same_leaf_name_under_different_parents_are_different_tags():
    (_, skin_care) = services.tag_category_path_ensure(path="Beauty > Care")
    (_, pet_care) = services.tag_category_path_ensure(path="Pets > Care")

    assert skin_care != pet_care


def test_product_upsert_updates_in_place_and_refuses_negative_price():
    product = services.product_upsert(external_id="sku-9", title="Serum", price=Decimal("12.50"), currency="eur")
    updated = services.product_upsert(external_id="sku-9", title="Serum 30ml", price=Decimal("11.00"), stock=4)

    assert updated.pk == product.pk
    assert (updated.title, updated.price, updated.stock) == ("Serum 30ml", Decimal("11.00"), 4)
    assert product.currency == "EUR"
    with pytest.raises(ApplicationError):
        services.product_upsert(external_id="sku-9", title="Serum", price=Decimal("-1"))
    updated.refresh_from_db()
    assert updated.price == Decimal("11.00")


def _stocks():
    return dict(Product.objects.values_list("pk", "stock"))


@pytest.fixture
def announced():
    """The ``product_changed`` signals sent, as (product id, old price, old stock)."""
    received = []

    def receiver(sender, *, product_id, old_price, old_stock, **kwargs):
        received.append((product_id, old_price, old_stock))

    signals.product_changed.connect(receiver, weak=False)
    yield received
    signals.product_changed.disconnect(receiver)


def test_a_stock_take_takes_each_quantity_and_announces_each_change(announced, django_capture_on_commit_callbacks):
    serum, mask, untouched = ProductFactory(stock=4), ProductFactory(stock=1), ProductFactory(stock=7)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        taken = services.product_stock_take(quantities={mask.pk: 1, serum.pk: 3})

    assert {pk: product.stock for pk, product in taken.items()} == {serum.pk: 1, mask.pk: 0}
    assert _stocks() == {serum.pk: 1, mask.pk: 0, untouched.pk: 7}
    assert announced == [(mask.pk, mask.price, 1), (serum.pk, serum.price, 4)]


@pytest.mark.parametrize(
    ("product_kwargs", "wanted", "available"),
    [
        ({"stock": 0}, 1, 0),
        ({"stock": 2}, 3, 2),
        ({"stock": 5, "active": False}, 1, 0),
        ({"stock": 5, "price": None}, 1, 5),
    ],
)
def test_a_stock_take_short_of_one_product_refuses_and_takes_nothing(
    announced, django_capture_on_commit_callbacks, product_kwargs, wanted, available
):
    plenty, short = ProductFactory(stock=5), ProductFactory(**product_kwargs)
    before = _stocks()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError) as refused:
        services.product_stock_take(quantities={plenty.pk: 1, short.pk: wanted})

    assert refused.value.code == "out_of_stock"
    assert refused.value.extra == {
        "products": [{"id": short.pk, "title": short.title, "wanted": wanted, "available": available}]
    }
    assert _stocks() == before
    assert announced == []


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_stock_takes_of_the_last_unit_take_it_once():
    product = ProductFactory(stock=1)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def take() -> None:
        start.wait()
        try:
            with transaction.atomic():
                services.product_stock_take(quantities={product.pk: 1})
            outcomes.append("taken")
        except ApplicationError as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["out_of_stock", "taken"]
    assert Product.objects.get(pk=product.pk).stock == 0
