"""Reads of the content domain, each owning its joins so the feed path has a fixed query count."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from content import signals
from content.models import Comment, ContentItem, ContentMedia, ContentProduct, Creator, Product, Tag
from feedsite.dispatch import answers


def servable_conditions() -> list[Any]:
    """What the apps above require of a served item (``signals.servable_conditions``)."""
    return answers(signals.servable_conditions, ContentItem)


def published() -> QuerySet[ContentItem]:
    """Items a shopper may be served: published, and passing every condition the apps above add
    (``signals.servable_conditions``: moderation drops creators blocked or below the reputation bar).

    The conditions are part of this one query (a subquery, no query of their own).
    """
    return ContentItem.objects.filter(*servable_conditions(), status=ContentItem.Status.PUBLISHED)


def buyable() -> Q:
    """Items that offer something a shopper can buy now, or offer no product at all: a post whose
    every linked product is sold out or withdrawn is a showcase of nothing, and the feed leaves it
    out until one comes back (``ranking.catalog`` applies the same rule to its snapshot)."""
    links = ContentProduct.objects.filter(content_id=OuterRef("pk"))
    return ~Exists(links) | Exists(links.filter(product__active=True, product__stock__gt=0))


def creators_servable() -> QuerySet[Creator]:
    """Creators whose page a shopper may see: approved, and passing every condition the apps above
    add (``signals.creator_servable_conditions``: moderation drops blocked creators and those below
    the reputation bar). The conditions are part of this one query."""
    conditions = answers(signals.creator_servable_conditions, Creator)
    return Creator.objects.filter(*conditions, status=Creator.Status.APPROVED)


def creator_posts(*, creator_id: int, before: tuple[datetime, int] | None, limit: int) -> list[ContentItem]:
    """Up to ``limit`` of the creator's items that ``published()`` serves, newest first; one query.

    ``before`` (``published_at``, id) of the last item of the previous page pages backwards, so a
    post published meanwhile never shifts the next page.
    """
    rows = published().filter(creator_id=creator_id)
    if before is not None:
        at, pk = before
        rows = rows.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
    return list(rows.order_by("-published_at", "-pk")[:limit])


# Compiled SQL of ``published()`` by (columns, conditions, database): compiling it costs Django
# more than the database takes to answer the feed's card query that embeds it. The
# conditions compare by value (a changed reputation bar is a new key), so nothing goes stale.
_published_sql: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}


def published_sql(*columns: str) -> tuple[str, tuple[Any, ...]]:
    """SQL and parameters selecting ``columns`` of the items ``published()`` serves, unordered:
    for a statement written out that embeds it as a subquery."""
    conditions = tuple(servable_conditions())
    key = (columns, conditions, connection.alias, connection.vendor)
    found = _published_sql.get(key)
    if found is None:
        sql, params = published().order_by().values_list(*columns).query.sql_with_params()
        if len(_published_sql) >= 64:  # a handful of keys in practice; bounded all the same
            _published_sql.clear()
        found = _published_sql[key] = (sql, tuple(params))
    return found


def among(ids: Collection[int]) -> tuple[str, list[Any]]:
    """SQL and parameters matching a column against ``ids``, to follow the column: on PostgreSQL
    ``= ANY(%s)`` with the ids in one parameter (one prepared statement however many there are,
    and nothing per id for Django to compile), an ``IN`` list elsewhere."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [list(ids)]
    return f"IN ({', '.join(['%s'] * len(ids))})", list(ids)


def tags_among(ids: Collection[int], slugs: Collection[str]) -> dict[int, frozenset[str]]:
    """Which of the tags ``slugs`` each of the items ``ids`` carries (items with none are left out)."""
    found: dict[int, set[str]] = {}
    through = ContentItem.tags.through.objects.filter(contentitem_id__in=ids, tag__slug__in=slugs)
    for item, slug in through.values_list("contentitem_id", "tag__slug"):
        found.setdefault(item, set()).add(slug)
    return {item: frozenset(tags) for item, tags in found.items()}


def items_for_cards(ids: Sequence[int]) -> list[ContentItem]:
    """Published items with everything a card shows, in the order of ``ids``; 4 queries.

    Items that are no longer published are dropped, so a stale id never reaches a shopper.
    """
    rows = (
        published()
        .filter(pk__in=ids)
        .select_related("creator", "brand")
        .prefetch_related(
            Prefetch("product_links", queryset=ContentProduct.objects.select_related("product").order_by("position")),
            "tags",
            # Only what the pipeline made: an original never reaches a card.
            Prefetch(
                "media_files",
                queryset=ContentMedia.objects.filter(processed_at__isnull=False)
                .only("item_id", "position", "kind", "file", "file_type", "poster", "width", "height", "variants")
                .order_by("position"),
            ),
        )
    )
    by_id = {item.pk: item for item in rows}
    return [by_id[i] for i in ids if i in by_id]


def published_ids(ids: Collection[int]) -> set[int]:
    """Which of ``ids`` are items ``published()`` serves. One query, the ids in one parameter on PostgreSQL.

    Event ingestion asks this for every batch; an ORM ``IN`` list of hundreds of placeholders costs
    Django more to compile than the database to answer (``among``). The ids are matched against the
    SQL of ``published()`` itself, so the rule lives in one place; without ordering, PostgreSQL
    pulls the inner query up and looks the ids up by primary key as before.
    """
    if not ids:
        return set()
    servable, params = published_sql("id")
    condition, ids_params = among(ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM ({servable}) AS servable WHERE id {condition}", [*params, *ids_params])
        return {row[0] for row in cursor.fetchall()}


@dataclass(frozen=True)
class Described:
    """What an item says about itself: its caption and its labels (ranking's content similarity)."""

    pk: int
    caption: str
    creator: int | None
    brand: int | None  # its own, else its first product's (as the event pipeline's affinities)
    tags: tuple[int, ...]


def _described(items: QuerySet[ContentItem]) -> list[Described]:
    """``items`` described in one query: one row per tag (a LEFT JOIN), folded here, in their order."""
    first_brand = ContentProduct.objects.filter(content=OuterRef("pk")).order_by("position").values("product__brand")
    rows = items.annotate(first_brand=Subquery(first_brand[:1])).values_list(
        "pk", "caption", "creator_id", "brand_id", "first_brand", "tags"
    )
    heads: dict[int, tuple[str, int | None, int | None]] = {}
    tags: dict[int, list[int]] = {}
    for pk, caption, creator, brand, first_brand_id, tag in rows:
        if pk not in heads:
            heads[pk], tags[pk] = (caption, creator, brand or first_brand_id), []
        if tag is not None:
            tags[pk].append(tag)
    return [Described(pk, *head, tags=tuple(tags[pk])) for pk, head in heads.items()]


def items_described(ids: Collection[int]) -> list[Described]:
    """Caption and labels of the items among ``ids``, whatever their status; one query.

    Not restricted to ``published()``: a removed item still tells what the shopper who liked it likes.
    """
    if not ids:
        return []
    return _described(ContentItem.objects.filter(pk__in=list(ids)).order_by())


def recent_described(*, since: datetime, max_engagement: int, limit: int) -> list[Described]:
    """Caption and labels of the ``limit`` newest items ``published()`` serves that were published
    after ``since`` with at most ``max_engagement`` interactions; newest first, one query."""
    recent = published().filter(published_at__gte=since, engagement__lte=max_engagement)
    newest = recent.order_by("-published_at", "-pk").values("pk")[:limit]
    return _described(ContentItem.objects.filter(pk__in=newest).order_by("-published_at", "-pk"))


def _roots(parent: Mapping[int, int | None]) -> dict[int, int]:
    """Each tag's root: the top of its ``parent`` chain (at most 32 up)."""

    def root(tag: int) -> int:
        for _ in range(32):
            up = parent.get(tag)
            if up is None:
                break
            tag = up
        return tag

    return {tag: root(tag) for tag in parent}


def category_roots() -> dict[int, int]:
    """Each category tag's root: the top of its ``parent`` chain (at most 32 up); one query."""
    return _roots(dict(Tag.objects.filter(kind=Tag.Kind.CATEGORY).values_list("id", "parent_id")))


def category_root_names() -> dict[str, str]:
    """Each category tag's slug → the name of its root category; one query."""
    rows = Tag.objects.filter(kind=Tag.Kind.CATEGORY).values_list("id", "parent_id", "slug", "name")
    parent = {pk: up for pk, up, _, _ in rows}
    name = {pk: tag_name for pk, _, _, tag_name in rows}
    root = _roots(parent)
    return {slug: name[root[pk]] for pk, _, slug, _ in rows}


def comments_visible(*, content_id: int, limit: int, before_id: int | None = None) -> list[Comment]:
    """Visible comments on an item, newest first, with their authors; one query.

    ``before_id`` pages backwards (comments with a smaller id), so a comment posted while the
    sheet is open never shifts the next page.
    """
    rows = Comment.objects.filter(content_id=content_id, status=Comment.Status.VISIBLE).select_related("author")
    if before_id is not None:
        rows = rows.filter(pk__lt=before_id)
    return list(rows.order_by("-pk")[:limit])


def product_page(*, product_id: int, items: int) -> tuple[Product, list[ContentItem]] | None:
    """An active product and up to ``items`` published items showing it (most engaging first); 2 queries."""
    product = Product.objects.select_related("brand").filter(pk=product_id, active=True).first()
    if product is None:
        return None
    shown = list(
        published()
        .filter(product_links__product=product)
        .select_related("creator")
        .order_by("-engagement", "-published_at", "-pk")[:items]
    )
    return product, shown


def onboarding_tags(*, topics: int) -> list[Tag]:
    """What a new shopper picks interests from: the top-level categories, then the ``topics``
    topic tags most used by published items."""
    categories = list(Tag.objects.filter(kind=Tag.Kind.CATEGORY, parent__isnull=True).order_by("name"))
    popular = (
        Tag.objects.filter(kind=Tag.Kind.TOPIC)
        .annotate(uses=Count("content_items", filter=Q(content_items__status=ContentItem.Status.PUBLISHED)))
        .filter(uses__gt=0)
        .order_by("-uses", "name")[:topics]
    )
    return categories + sorted(popular, key=lambda tag: tag.name)


def media_thumbnail(item: ContentItem) -> str:
    """The still to show for an item: its poster, or the image itself ("" for a video without one)."""
    if item.poster:
        return item.poster.url
    if item.media and item.kind != ContentItem.Kind.VIDEO:
        return item.media.url
    return ""
