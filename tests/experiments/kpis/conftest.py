"""A hand-built day of the feed: events, served pages, orders and posts whose figures are counted
by hand below (``DAY_FIGURES``), with rows just outside the day on either side."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from content.models import ContentItem
from experiments.kpis.figures import DayFigures
from profiles.models import Shopper
from profiles.shop.models import Order
from ranking.models import FeedRequest
from tests.factories import ContentItemFactory, FeedRequestFactory, InteractionFactory, OrderFactory, ShopperFactory

Kind, Source = ContentItem.Kind, ContentItem.Source


def at(day: date, hh: int = 12, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss, us), tzinfo=UTC)


def event(shopper: Shopper, item: ContentItem, kind: str, when: datetime, **fields: object) -> None:
    InteractionFactory(shopper=shopper, content=item, type=kind, occurred_at=when, **fields)


def page(shopper: Shopper, session: uuid.UUID, items: list[int], when: datetime) -> None:
    served = FeedRequestFactory(shopper=shopper, feed_session=session, items=items)
    FeedRequest.objects.filter(pk=served.pk).update(served_at=when)


def order(shopper: Shopper, total: str, when: datetime, *, currency: str = "EUR", status: str = "paid") -> None:
    placed = OrderFactory(shopper=shopper, total=Decimal(total), currency=currency, status=status)
    Order.objects.filter(pk=placed.pk).update(created_at=when)


@dataclass
class Feed:
    day: date
    shoppers: dict[str, Shopper]
    items: dict[str, ContentItem]


# What ``build_day`` makes of its day, counted by hand (each figure's reasons are in build_day).
DAY_FIGURES = DayFigures(
    active_shoppers=3,  # ann, bob, cy (eve only opened an email; dee only ordered)
    feed_sessions=3,  # s1, s2, and s3 which began the evening before
    pages_served=4,
    dwell_ms=8000,  # ann's dwell 4000 + bob's dwell 1500 + bob's timed view 2500
    impressions=6,
    opens=1,
    product_clicks=1,
    add_to_carts=3,
    cart_shoppers=2,
    orders=4,  # ann, bob, dee, eve; bob's cancelled order is no sale
    buyers=4,
    active_buyers=2,  # ann and bob
    sales={"EUR": {"orders": 3, "revenue": "47.50"}, "USD": {"orders": 1, "revenue": "20.00"}},
    # 8 cards in the day's 4 pages; one shows an item deleted since.
    served_kinds={"video": 2, "image": 2, "product_card": 2, "brand_post": 1, "": 1},
    served_sources={"ugc": 2, "brand": 2, "promoted": 2, "editorial": 1, "": 1},
    published={"video": 1, "image": 2, "brand_post": 1},
)


def build_day(day: date) -> Feed:
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    ann, bob, cy, dee, eve = (ShopperFactory() for _ in range(5))
    video = ContentItemFactory(kind=Kind.VIDEO, source=Source.USER, published_at=at(day, 8))
    image = ContentItemFactory(kind=Kind.IMAGE, source=Source.BRAND, published_at=at(day, 0, 0, 0))
    card = ContentItemFactory(kind=Kind.PRODUCT_CARD, source=Source.PROMOTED, published_at=at(before, 23, 59, 59))
    post = ContentItemFactory(kind=Kind.BRAND_POST, source=Source.EDITORIAL, published_at=at(day, 23, 59, 59, 999999))
    # Published that day and removed since: still new content of that day.
    ContentItemFactory(kind=Kind.IMAGE, status=ContentItem.Status.REMOVED, published_at=at(day, 15))
    # Never published: no new content.
    ContentItemFactory(kind=Kind.VIDEO, status=ContentItem.Status.DRAFT, published_at=None)
    gone = ContentItemFactory(kind=Kind.IMAGE)
    gone_id = gone.pk
    gone.delete()

    event(ann, video, "impression", at(day, 9))
    event(ann, image, "impression", at(day, 9))
    event(ann, video, "open", at(day, 9, 1))
    event(ann, video, "dwell", at(day, 9, 2), dwell_ms=4000)
    event(ann, image, "product_click", at(day, 9, 3))
    event(ann, image, "add_to_cart", at(day, 9, 4))
    event(bob, video, "impression", at(day, 10))
    event(bob, card, "impression", at(day, 10))
    event(bob, post, "impression", at(day, 10))
    event(bob, card, "dwell", at(day, 10, 1), dwell_ms=1500)
    event(bob, post, "view", at(day, 10, 2), dwell_ms=2500)
    event(bob, card, "add_to_cart", at(day, 10, 3))
    event(bob, post, "add_to_cart", at(day, 10, 4))
    event(cy, image, "impression", at(day, 23, 59, 59, 999999))
    event(cy, image, "skip", at(day, 11))
    # A watch time on an event type that carries none is not time in feed.
    event(cy, image, "video_progress", at(day, 11), dwell_ms=9000, value=0.5)
    event(eve, image, "message_open", at(day, 7))
    # Just outside the day.
    event(ann, video, "impression", at(before, 23, 59, 59, 999999))
    event(ann, video, "impression", at(after, 0, 0, 0))

    s1, s2, s3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    page(ann, s1, [video.pk, image.pk, card.pk], at(day, 9))
    page(ann, s1, [post.pk, video.pk], at(day, 9, 5))
    page(bob, s2, [card.pk, gone_id], at(day, 10))
    page(cy, s3, [video.pk], at(before, 23, 50))
    page(cy, s3, [image.pk], at(day, 0, 10))

    order(ann, "30.00", at(day, 9, 6))
    order(bob, "12.50", at(day, 10, 5))
    order(bob, "99.00", at(day, 10, 6), status=Order.Status.CANCELLED)
    order(dee, "20.00", at(day, 14), currency="USD")
    order(eve, "5.00", at(day, 7, 5))
    # cy was active on the day but ordered after midnight, without a visit that next day.
    order(cy, "8.00", at(after, 0, 30))
    return Feed(
        day=day,
        shoppers={"ann": ann, "bob": bob, "cy": cy, "dee": dee, "eve": eve},
        items={"video": video, "image": image, "card": card, "post": post},
    )
