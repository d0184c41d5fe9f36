"""Seed the demo: plan it, render and store its media, then write every row in one transaction."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from content import services as content_services
from content.models import Brand, Comment, ContentItem, ContentProduct, Creator, Product, Tag
from feedsite.errors import ApplicationError
from feedsite.roles import Role, role_group
from profiles.demo.histories import ShopperPlan, plan_shoppers
from profiles.demo.items import plan_items
from profiles.demo.plan import ShopPlan, Sizes, TagKey, plan_shop
from profiles.demo.pool import Stored, pool_store
from profiles.events import history
from profiles.events.models import Interaction
from profiles.models import Follow, FollowChange, Interest, Like, Shopper

# Every demo shopper and shopper-creator signs in with this password; the admin (created outside
# production only) with ADMIN_PASSWORD.
DEMO_PASSWORD = "demo"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"
# Prefix of the external ids and event ids of demo rows (what `seed_demo` recognises as its own).
DEMO_PREFIX = "demo-"
# Rows per INSERT: well under SQLite's 32,766 bound parameters at 13 columns an interaction.
BATCH = 1000
MAX_SCALE = 10.0
# Every third like also leaves one of these under the post, so that comment sheets are not empty.
COMMENT_EVERY = 3
DEMO_COMMENTS = (
    "Obsessed with this!",
    "Where is the top from?",
    "Just ordered mine!",
    "Does it run true to size?",
    "Been using it for a month, worth it.",
    "The colour is even better in real life.",
    "Need this for my desk setup",
    "Saving this for payday",
    "How long does the scent last?",
    "This is the one I was looking for",
    "Honest review please!",
    "Adding to cart right now",
)


@dataclass
class DemoSummary:
    """What one seed created."""

    brands: int = 0
    products: int = 0
    out_of_stock: int = 0
    creators: Counter[str] = field(default_factory=Counter)
    verified: int = 0
    tags: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    media_files: int = 0
    shoppers: int = 0
    follows: int = 0
    interests: int = 0
    interactions: Counter[str] = field(default_factory=Counter)
    admin_created: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def demo_present() -> bool:
    return (
        Product.objects.filter(external_id__startswith=DEMO_PREFIX).exists()
        or get_user_model().objects.filter(username="shopper1").exists()
    )


def seed_demo(
    *,
    seed: int = 7,
    scale: float = 1.0,
    if_empty: bool = False,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary | None:
    """Fill the database with a believable shop; returns what it made, or None when skipped.

    Same ``seed`` and ``scale``, same shop (times are relative to ``now``). With ``if_empty``,
    does nothing if any content item exists. Refuses (``ApplicationError``, code
    ``demo_present``) to seed twice into one database. Media files are stored first (and kept
    if the seed fails); all rows are written in one transaction, so a failed seed leaves none.
    """
    if if_empty and ContentItem.objects.exists():
        return None
    if not 0 < scale <= MAX_SCALE:
        raise ApplicationError(f"The scale must be above 0 and at most {MAX_SCALE}.", code="invalid_scale")
    if demo_present():
        raise ApplicationError("The demo is already in this database.", code="demo_present")
    now = now or timezone.now()
    say = progress or (lambda message: None)
    clock = time.perf_counter()
    summary = DemoSummary()

    def lap(phase: str) -> None:
        nonlocal clock
        summary.seconds[phase] = time.perf_counter() - clock
        clock = time.perf_counter()
        say(f"{phase}: {summary.seconds[phase]:.1f} s")

    sizes = Sizes.for_scale(scale)
    shop = plan_shop(seed=seed, sizes=sizes)
    plan_items(seed=seed, sizes=sizes, shop=shop, now=now)
    shoppers = plan_shoppers(seed=seed, sizes=sizes, shop=shop, now=now)
    lap("plan")
    files = pool_store(images=shop.images, videos=shop.videos)
    summary.media_files = len(shop.images) + 2 * len(shop.videos)
    lap("media")
    with transaction.atomic():
        _write(shop=shop, shoppers=shoppers, files=files, now=now, summary=summary)
    lap("database")
    return summary


def _write(
    *, shop: ShopPlan, shoppers: list[ShopperPlan], files: dict[str, Stored], now: datetime, summary: DemoSummary
) -> None:
    """The rows. Brands, tags and products go through the content services one by one; the
    thousands of back-dated rows are bulk-created, because the services stamp ``now``."""
    brands = [content_services.brand_ensure(name=spec.name) for spec in shop.brands]
    tags = _tags(shop, shoppers)
    products = [
        content_services.product_upsert(
            external_id=plan.external_id,
            title=plan.title,
            brand=brands[plan.brand],
            category_path=plan.leaf.path,
            price=plan.price,
            stock=plan.stock,
        )
        for plan in shop.products
    ]
    summary.brands, summary.products = len(brands), len(products)
    summary.out_of_stock = sum(1 for product in products if product.stock == 0)
    summary.tags = Counter(kind for kind, _ in tags)

    User = get_user_model()
    # A superuser whose password is printed in the README never exists outside development.
    if not settings.PRODUCTION and not User.objects.filter(username=ADMIN_USERNAME).exists():
        User.objects.create_superuser(username=ADMIN_USERNAME, email="admin@example.com", password=ADMIN_PASSWORD)
        summary.admin_created = True
    # One hash (one salt) for all demo accounts: hashing ~230 passwords one by one takes over a minute.
    password = make_password(DEMO_PASSWORD)
    creator_users = User.objects.bulk_create(
        User(
            username=c.handle, email=f"{c.handle}@example.com", password=password, date_joined=now - timedelta(days=120)
        )
        for c in shop.creators
        if c.with_user
    )
    # The demo's creators are approved (the model's default): their accounts are in the creators role.
    role_group(Role.CREATORS).user_set.add(*creator_users)
    by_username = {user.get_username(): user for user in creator_users}
    creators = Creator.objects.bulk_create(
        Creator(
            user=by_username.get(c.handle),
            handle=c.handle,
            display_name=c.display_name,
            kind=c.kind,
            brand=brands[c.brand] if c.brand is not None else None,
            verified=c.verified,
            bio=c.bio,
        )
        for c in shop.creators
    )
    summary.creators = Counter(c.kind for c in shop.creators)
    summary.verified = sum(1 for c in shop.creators if c.verified)

    items = _items(shop, files, brands=brands, creators=creators, products=products, tags=tags, now=now)
    summary.items = Counter(item.kind for item in shop.items) + Counter(item.source for item in shop.items)
    summary.statuses = Counter(item.status for item in shop.items)

    _shoppers(shoppers, items=items, creators=creators, products=products, tags=tags, password=password)
    summary.shoppers = len(shoppers)
    summary.follows = sum(len(s.follows) for s in shoppers)
    summary.interests = sum(len(s.interests) for s in shoppers)
    summary.interactions = Counter(event.type for s in shoppers for event in s.events)
    history.engagement_refresh()


def _tags(shop: ShopPlan, shoppers: list[ShopperPlan]) -> dict[TagKey, Tag]:
    tags: dict[TagKey, Tag] = {}
    for path in sorted({product.leaf.path for product in shop.products}):
        for depth, tag in enumerate(content_services.tag_category_path_ensure(path=path)):
            tags[(Tag.Kind.CATEGORY, " > ".join(path.split(" > ")[: depth + 1]))] = tag
    wanted = {key for item in shop.items for key in item.tags} | {key for s in shoppers for key in s.interests}
    for kind, name in sorted(wanted - tags.keys()):
        tags[(kind, name)] = content_services.tag_ensure(name=name, kind=kind)
    return tags


def _items(
    shop: ShopPlan,
    files: dict[str, Stored],
    *,
    brands: list[Brand],
    creators: list[Creator],
    products: list[Product],
    tags: dict[TagKey, Tag],
    now: datetime,
) -> list[ContentItem]:
    rows = []
    for plan in shop.items:
        file = files[plan.media]
        rows.append(
            ContentItem(
                external_id=plan.external_id,
                kind=plan.kind,
                source=plan.source,
                creator=creators[plan.creator] if plan.creator is not None else None,
                brand=brands[plan.brand] if plan.brand is not None else None,
                caption=plan.caption,
                media=file.name,
                poster=file.poster,
                media_width=file.width,
                media_height=file.height,
                duration_ms=file.duration_ms,
                status=plan.status,
                submitted_at=plan.submitted_at,
                published_at=plan.published_at,
                rejected_at=plan.rejected_at,
            )
        )
    items = ContentItem.objects.bulk_create(rows, batch_size=BATCH)
    ContentProduct.objects.bulk_create(
        (
            ContentProduct(content_id=item.pk, product_id=products[index].pk, position=position)
            for item, plan in zip(items, shop.items, strict=True)
            for position, index in enumerate(plan.products)
        ),
        batch_size=BATCH,
    )
    Through = ContentItem.tags.through
    Through.objects.bulk_create(
        (
            Through(contentitem_id=item.pk, tag_id=tags[key].pk)
            for item, plan in zip(items, shop.items, strict=True)
            for key in plan.tags
        ),
        batch_size=BATCH,
    )
    # created_at is auto_now_add; an item was created when it was submitted.
    ContentItem.objects.filter(external_id__startswith=DEMO_PREFIX).update(
        created_at=Coalesce(F("submitted_at"), F("published_at"), Value(now))
    )
    return items


def _shoppers(
    plans: list[ShopperPlan],
    *,
    items: list[ContentItem],
    creators: list[Creator],
    products: list[Product],
    tags: dict[TagKey, Tag],
    password: str,
) -> None:
    User = get_user_model()
    users = User.objects.bulk_create(
        User(
            username=plan.username,
            email=f"{plan.username}@example.com",
            first_name=plan.first_name,
            password=password,
            date_joined=plan.joined,
            last_login=plan.last_seen_at,
        )
        for plan in plans
    )
    role_group(Role.SHOPPERS).user_set.add(*users)
    shoppers = Shopper.objects.bulk_create(
        Shopper(user=user, onboarded_at=plan.onboarded_at, last_seen_at=plan.last_seen_at)
        for user, plan in zip(users, plans, strict=True)
    )
    for shopper, plan in zip(shoppers, plans, strict=True):
        shopper.created_at = plan.joined
    Shopper.objects.bulk_update(shoppers, ["created_at"], batch_size=BATCH)
    Interest.objects.bulk_create(
        Interest(shopper_id=shopper.pk, tag_id=tags[key].pk)
        for shopper, plan in zip(shoppers, plans, strict=True)
        for key in plan.interests
    )
    follows = Follow.objects.bulk_create(
        Follow(shopper_id=shopper.pk, creator_id=creators[index].pk)
        for shopper, plan in zip(shoppers, plans, strict=True)
        for index in plan.follows
    )
    times = [at for plan in plans for at in plan.follows.values()]
    for follow, at in zip(follows, times, strict=True):
        follow.created_at = at
    Follow.objects.bulk_update(follows, ["created_at"], batch_size=BATCH)
    # The creators' follower growth (the studio dashboard), as ``follow_create`` logs it.
    FollowChange.objects.bulk_create(
        (FollowChange(creator_id=follow.creator_id, delta=1, at=follow.created_at) for follow in follows),
        batch_size=BATCH,
    )
    Interaction.objects.bulk_create(
        (
            Interaction(
                event_id=f"{DEMO_PREFIX}{number}-{sequence}",
                shopper_id=shopper.pk,
                content_id=items[event.item].pk,
                product_id=products[event.product].pk if event.product is not None else None,
                type=event.type,
                occurred_at=event.at,
                session_id=f"{DEMO_PREFIX}{number}-{event.session}",
                position=event.position,
                dwell_ms=event.dwell_ms,
                value=event.value,
                context={"device": "mobile" if plan.mobile else "desktop"},
            )
            for number, (shopper, plan) in enumerate(zip(shoppers, plans, strict=True), start=1)
            for sequence, event in enumerate(plan.events)
        ),
        batch_size=BATCH,
    )
    # received_at is auto_now_add; the demo's events arrived as they happened.
    Interaction.objects.filter(event_id__startswith=DEMO_PREFIX).update(received_at=F("occurred_at"))
    _likes_and_comments(plans, shoppers=shoppers, users=users, items=items)


def _likes_and_comments(
    plans: list[ShopperPlan], *, shoppers: list[Shopper], users: list[Any], items: list[ContentItem]
) -> None:
    """The durable side of the demo's likes (the heart stays red), and a comment for some of them."""
    likes = [
        (shopper, user, items[event.item], event.at)
        for shopper, user, plan in zip(shoppers, users, plans, strict=True)
        for event in plan.events
        if event.type == "like"
    ]
    Like.objects.bulk_create(
        (Like(shopper_id=shopper.pk, content_id=item.pk) for shopper, _, item, _ in likes),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    comments = Comment.objects.bulk_create(
        (
            Comment(content_id=item.pk, author_id=user.pk, body=DEMO_COMMENTS[number % len(DEMO_COMMENTS)])
            for number, (_, user, item, _) in enumerate(likes[::COMMENT_EVERY])
        ),
        batch_size=BATCH,
    )
    for comment, (_, _, _, at) in zip(comments, likes[::COMMENT_EVERY], strict=True):
        comment.created_at = at
    Comment.objects.bulk_update(comments, ["created_at"], batch_size=BATCH)
