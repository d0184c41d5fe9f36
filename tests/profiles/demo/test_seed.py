import io
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Count
from PIL import Image

from content import media
from content.models import Brand, ContentItem, ContentProduct, Creator, Product, Tag
from feedsite.errors import ApplicationError
from profiles.demo import catalog
from profiles.demo import seed as demo
from profiles.demo.histories import plan_shoppers
from profiles.demo.items import plan_items
from profiles.demo.plan import Sizes, plan_shop
from profiles.events.models import Interaction
from profiles.models import Follow, FollowChange, Interest, Shopper
from tests.factories import ContentItemFactory

pytestmark = pytest.mark.django_db
SCALE = 0.02
SIZES = Sizes.for_scale(SCALE)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
Kind, Source, Status = ContentItem.Kind, ContentItem.Source, ContentItem.Status


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    """One media folder for the module: the first seed renders the pool, later ones reuse it."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _demo_settings(settings, media_root):
    settings.MEDIA_ROOT = str(media_root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root), "base_url": "/media/"},
        },
    }
    # The seed hashes two passwords; the production hasher would spend a second on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded():
    return demo.seed_demo(seed=7, scale=SCALE, now=NOW)


def counts():
    models = (Brand, Product, Creator, Tag, ContentItem, ContentProduct, Shopper, Follow, Interest, Interaction)
    return {model.__name__: model.objects.count() for model in models} | {"User": get_user_model().objects.count()}


def test_small_seed_has_every_kind_source_and_review_status(seeded):
    assert set(ContentItem.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert set(ContentItem.objects.values_list("source", flat=True)) == set(Source.values)
    assert set(ContentItem.objects.values_list("status", flat=True)) == {
        Status.PUBLISHED,
        Status.PENDING,
        Status.DRAFT,
        Status.REJECTED,
    }
    assert ContentItem.objects.count() == SIZES.items
    assert Product.objects.count() == SIZES.products
    assert Brand.objects.count() == SIZES.brands
    assert Shopper.objects.count() == SIZES.shoppers
    assert seeded.statuses == Counter(ContentItem.objects.values_list("status", flat=True))


def test_every_item_shows_one_to_three_products_and_cards_exactly_one(seeded):
    links = ContentItem.objects.annotate(n=Count("product_links"))

    assert set(links.values_list("n", flat=True)) <= {1, 2, 3}
    assert set(links.filter(kind=Kind.PRODUCT_CARD).values_list("n", flat=True)) == {1}


def test_catalog_has_prices_stock_and_category_paths(seeded):
    products = Product.objects.all()

    assert all(p.currency == "EUR" and p.price is not None and p.price > 0 for p in products)
    assert products.filter(stock=0).count() == seeded.out_of_stock >= 1
    assert all(p.category_path in {leaf.path for leaf in catalog.LEAVES} for p in products)
    serum = Tag.objects.get(slug="cat-beauty-skin-serum")
    assert (serum.parent.slug, serum.parent.parent.slug) == ("cat-beauty-skin", "cat-beauty")
    # Brand tags come from the studio's automatic tagging (content.tagging), not from the seed.
    assert set(Tag.objects.values_list("kind", flat=True)) == set(Tag.Kind.values) - {Tag.Kind.BRAND}


def test_creators_cover_shoppers_brands_and_editorial(seeded):
    creators = Creator.objects.all()

    assert set(creators.values_list("kind", flat=True)) == set(Creator.Kind.values)
    assert creators.filter(kind=Creator.Kind.BRAND).count() == SIZES.brands
    assert not creators.filter(kind=Creator.Kind.BRAND, brand__isnull=True).exists()
    assert {True, False} == set(creators.filter(kind=Creator.Kind.SHOPPER).values_list("verified", flat=True))
    assert not creators.filter(kind=Creator.Kind.SHOPPER, user__isnull=True).exists()


def test_items_use_stored_real_media_files(seeded):
    items = ContentItem.objects.all()
    videos = items.filter(kind=Kind.VIDEO)

    for name, width, height in items.exclude(kind=Kind.VIDEO).values_list("media", "media_width", "media_height"):
        with default_storage.open(name) as file, Image.open(io.BytesIO(file.read())) as image:
            assert (image.format, image.size) == ("JPEG", (width, height))
    for name, poster in set(videos.values_list("media", "poster")):
        with default_storage.open(name) as file:
            data = file.read()
        assert media.media_sniff(data) == "mp4"
        assert len(data) > 10_000
        with default_storage.open(poster) as file:
            assert media.image_size(file.read()) == (480, 854)
    assert set(videos.values_list("duration_ms", flat=True)) <= {2000, 3000, 4000}
    # The pool is shared: far fewer files than items.
    assert items.values("media").distinct().count() == SIZES.images + SIZES.videos


def test_published_items_spread_over_the_last_30_days_and_the_rest_have_no_publish_time(seeded):
    published = ContentItem.objects.filter(status=Status.PUBLISHED)

    times = published.values_list("published_at", flat=True)
    assert all(NOW - timedelta(days=30, minutes=2) <= at <= NOW - timedelta(minutes=2) for at in times)
    assert not ContentItem.objects.exclude(status=Status.PUBLISHED).filter(published_at__isnull=False).exists()
    assert not ContentItem.objects.filter(status=Status.PENDING, submitted_at__isnull=True).exists()
    assert not ContentItem.objects.filter(status=Status.REJECTED, rejected_at__isnull=True).exists()


def test_shoppers_have_accounts_and_histories_on_published_items(seeded):
    users = get_user_model().objects

    assert users.get(username="shopper1").check_password(demo.DEMO_PASSWORD)
    admin = users.get(username=demo.ADMIN_USERNAME)
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert admin.check_password(demo.ADMIN_PASSWORD)
    assert set(Interaction.objects.values_list("type", flat=True)) == {
        "view",
        "like",
        "share",
        "add_to_cart",
        "purchase",
    }
    assert not Interaction.objects.exclude(content__status=Status.PUBLISHED).exists()
    assert all(i.content.published_at <= i.occurred_at <= NOW for i in Interaction.objects.select_related("content"))
    assert not Interaction.objects.filter(type__in=["add_to_cart", "purchase"], product__isnull=True).exists()
    assert Follow.objects.count() == seeded.follows > 0
    assert not Shopper.objects.filter(interactions__isnull=False, last_seen_at__isnull=True).exists()


def test_every_demo_follow_is_in_its_creators_follower_growth(seeded):
    follows = Counter(Follow.objects.values_list("creator_id", "created_at"))

    changes = Counter(FollowChange.objects.filter(delta=1).values_list("creator_id", "at"))

    assert changes == follows
    assert not FollowChange.objects.filter(delta=-1).exists()


def test_production_seeds_no_superuser_with_a_known_password(settings):
    settings.PRODUCTION = True
    out = io.StringIO()

    call_command("seed_demo", "--scale", str(SCALE), stdout=out)

    assert not get_user_model().objects.filter(is_superuser=True).exists()
    assert get_user_model().objects.filter(username="shopper1").exists()
    assert f"{demo.ADMIN_USERNAME} / {demo.ADMIN_PASSWORD}" not in out.getvalue()
    assert "createsuperuser" in out.getvalue()


def test_engagement_equals_the_number_of_interactions(seeded):
    recorded = dict(Interaction.objects.values("content").annotate(n=Count("id")).values_list("content", "n"))

    assert {item.pk: item.engagement for item in ContentItem.objects.all()} == {
        item_id: recorded.get(item_id, 0) for item_id in ContentItem.objects.values_list("pk", flat=True)
    }
    assert sum(recorded.values()) == sum(seeded.interactions.values())


def test_if_empty_seeds_once_and_then_does_nothing():
    call_command("seed_demo", "--scale", str(SCALE), "--if-empty", stdout=io.StringIO())
    before = counts()
    out = io.StringIO()

    call_command("seed_demo", "--scale", str(SCALE), "--if-empty", stdout=out)

    assert before["ContentItem"] == SIZES.items
    assert counts() == before
    assert out.getvalue() == "Content already exists; demo not seeded.\n"


def test_if_empty_leaves_a_database_with_other_content_alone():
    ContentItemFactory()
    before = counts()

    assert demo.seed_demo(scale=SCALE, if_empty=True) is None
    assert counts() == before


def test_seeding_twice_is_refused_and_changes_nothing(seeded):
    before = counts()

    with pytest.raises(CommandError, match="already in this database"):
        call_command("seed_demo", "--scale", str(SCALE), stdout=io.StringIO())

    assert counts() == before


def test_a_failing_seed_writes_no_rows(monkeypatch):
    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setattr("profiles.events.history.engagement_refresh", broken)
    before = counts()

    with pytest.raises(RuntimeError, match="disk full"):
        demo.seed_demo(scale=SCALE, now=NOW)

    assert counts() == before


@pytest.mark.parametrize("scale", [0, -1, 11])
def test_an_impossible_scale_is_refused(scale):
    with pytest.raises(ApplicationError, match="scale"):
        demo.seed_demo(scale=scale)

    assert ContentItem.objects.count() == 0


def plan(seed, scale):
    sizes = Sizes.for_scale(scale)
    shop = plan_shop(seed=seed, sizes=sizes)
    plan_items(seed=seed, sizes=sizes, shop=shop, now=NOW)
    return shop, plan_shoppers(seed=seed, sizes=sizes, shop=shop, now=NOW)


def test_the_plan_is_deterministic_for_a_seed():
    shop, shoppers = plan(7, 0.05)
    again, again_shoppers = plan(7, 0.05)
    other, _ = plan(8, 0.05)

    assert shop == again
    assert shoppers == again_shoppers
    assert [item.caption for item in shop.items] != [item.caption for item in other.items]


def test_shoppers_mostly_engage_with_their_favourite_category():
    shop, shoppers = plan(7, 0.2)
    shares = []
    for shopper in shoppers:
        favourite = max(shopper.taste, key=shopper.taste.__getitem__).split(" > ")[0]
        tops = [shop.items[e.item].group.split(" > ")[0] for e in shopper.events if e.type != "view"]
        if len(tops) >= 5:
            shares.append(tops.count(favourite) / len(tops))

    # Five top categories: without taste, the favourite would get about a fifth.
    assert len(shares) >= 20
    assert sorted(shares)[len(shares) // 2] >= 0.5


def test_demo_accounts_are_in_the_roles_their_rows_give_them(seeded):
    users = get_user_model().objects

    assert set(users.filter(groups__name="shoppers").values_list("pk", flat=True)) == set(
        Shopper.objects.filter(user__isnull=False).values_list("user", flat=True)
    )
    assert set(users.filter(groups__name="creators").values_list("pk", flat=True)) == set(
        Creator.objects.filter(user__isnull=False, status=Creator.Status.APPROVED).values_list("user", flat=True)
    )
    assert users.filter(groups__name="creators").exists()
