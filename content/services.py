"""Every write to the content domain: tags, products, content items and their review workflow, comments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Expression, F
from django.utils import timezone
from django.utils.text import slugify

from content import signals
from content.comment_checks import comment_verdict
from content.models import Brand, Comment, ContentItem, ContentProduct, Creator, Product, Tag, TagSynonym
from feedsite.dispatch import send_on_commit
from feedsite.errors import ApplicationError

Status = ContentItem.Status

# Which step may follow which. Removal is possible from anywhere a shopper could see it. An upload
# starts ``processing``; when its media is ready it becomes a draft or goes to review (its
# ``intent``); an approved item with a future ``publish_at`` waits ``scheduled``.
TRANSITIONS: dict[str, set[str]] = {
    Status.PROCESSING: {Status.DRAFT, Status.PENDING, Status.FAILED, Status.REMOVED},
    Status.FAILED: {Status.PROCESSING, Status.REMOVED},
    Status.DRAFT: {Status.PENDING, Status.REMOVED},
    Status.PENDING: {Status.PUBLISHED, Status.SCHEDULED, Status.REJECTED, Status.REMOVED},
    Status.SCHEDULED: {Status.PUBLISHED, Status.REMOVED},
    Status.PUBLISHED: {Status.HIDDEN, Status.REMOVED},
    Status.HIDDEN: {Status.PUBLISHED, Status.REMOVED},
    Status.REJECTED: {Status.PENDING, Status.REMOVED},
    # Final, except for a granted appeal (``content_reinstate``).
    Status.REMOVED: set(),
}
_TIMESTAMP_OF: dict[str, str] = {
    Status.PENDING: "submitted_at",
    Status.PUBLISHED: "published_at",
    Status.REJECTED: "rejected_at",
    Status.REMOVED: "removed_at",
}


def category_path_split(path: str) -> list[str]:
    """``"Beauty > Skin > Serum"`` → ``["Beauty", "Skin", "Serum"]`` (blank parts dropped)."""
    return [part.strip() for part in path.split(">") if part.strip()]


def tag_slug(kind: str, names: Sequence[str]) -> str:
    """A stable slug for a tag; category tags carry their whole path so that equal leaf names differ."""
    base = slugify("-".join(names)) or "x"
    return f"{kind[:3]}-{base}"[:120] if kind == Tag.Kind.CATEGORY else base[:120]


@transaction.atomic
def tag_category_path_ensure(*, path: str) -> list[Tag]:
    """The category tags of ``path``, root first, creating the missing ones with their parents."""
    tags: list[Tag] = []
    names = category_path_split(path)
    parent: Tag | None = None
    for depth in range(len(names)):
        slug = tag_slug(Tag.Kind.CATEGORY, names[: depth + 1])
        # A category staff merged into another lives on as a synonym: it is not made again.
        tag = Tag.objects.filter(slug=slug).first() or _synonym_tag(slug)
        if tag is None:
            tag, _ = Tag.objects.get_or_create(
                slug=slug, defaults={"name": names[depth], "kind": Tag.Kind.CATEGORY, "parent": parent}
            )
        tags.append(tag)
        parent = tag
    return tags


def _synonym_tag(slug: str) -> Tag | None:
    synonym = TagSynonym.objects.select_related("tag").filter(slug=slug).first()
    return synonym.tag if synonym is not None else None


def tag_ensure(*, name: str, kind: str = Tag.Kind.TOPIC) -> Tag:
    """The tag ``name`` of ``kind``, or the one its slug is a synonym of; created when neither exists."""
    slug = tag_slug(kind, [name])
    tag = _synonym_tag(slug) if not Tag.objects.filter(slug=slug).exists() else None
    if tag is None:
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})
    return tag


def brand_ensure(*, name: str) -> Brand:
    brand, _ = Brand.objects.get_or_create(slug=slugify(name)[:200] or "brand", defaults={"name": name})
    return brand


def product_upsert(
    *,
    external_id: str,
    title: str,
    brand: Brand | None = None,
    category_path: str = "",
    price: Decimal | None = None,
    currency: str = "EUR",
    stock: int = 0,
    active: bool = True,
    compare_at_price: Decimal | None = None,
    promotion_label: str = "",
    promotion_ends_at: datetime | None = None,
) -> Product:
    """Create or update the product a merchant knows as ``external_id`` (every field is set).

    ``compare_at_price`` (the struck-through "was" price) must exceed ``price``. A change of
    price, stock or whether it is sold (``active``) is announced after commit
    (``signals.product_changed``).
    """
    if price is not None and price < 0:
        raise ApplicationError("A price cannot be negative.", code="invalid_price")
    if stock < 0:
        raise ApplicationError("Stock cannot be negative.", code="invalid_stock")
    if compare_at_price is not None and (price is None or compare_at_price <= price):
        raise ApplicationError(
            "The compare-at price must be higher than the price (it is shown struck through).",
            code="invalid_promotion",
            extra={"price": None if price is None else str(price), "compare_at_price": str(compare_at_price)},
        )
    before = Product.objects.filter(external_id=external_id).values_list("price", "stock", "active").first()
    product, _ = Product.objects.update_or_create(
        external_id=external_id,
        defaults={
            "title": title,
            "brand": brand,
            "category_path": category_path,
            "price": price,
            "currency": currency.upper(),
            "stock": stock,
            "active": active,
            "compare_at_price": compare_at_price,
            "promotion_label": promotion_label,
            "promotion_ends_at": promotion_ends_at,
        },
    )
    if before is not None and before != (price, stock, active):
        send_on_commit(
            signals.product_changed,
            sender=Product,
            product_id=product.pk,
            old_price=before[0],
            old_stock=before[1],
            old_active=before[2],
        )
    return product


@transaction.atomic
def product_stock_take(*, quantities: Mapping[int, int]) -> dict[int, Product]:
    """Take ``quantities[product_id]`` units of each product; returns the products by id, their
    ``stock`` what is left.

    Runs in the caller's transaction (a savepoint of it) and locks the products in id order
    (``select_for_update``: two takes of the last unit cannot both succeed, and lock order rules
    out deadlocks). Every product must be for sale in its quantity (active, priced, in stock);
    otherwise raises ``ApplicationError(code="out_of_stock")`` with the short products, in the
    order of ``quantities``, in ``extra`` and takes nothing. Each change of stock is announced
    after commit (``signals.product_changed``).
    """
    products = {
        product.pk: product for product in Product.objects.select_for_update().filter(pk__in=quantities).order_by("pk")
    }
    short: list[dict[str, Any]] = [
        {
            "id": product.pk,
            "title": product.title,
            "wanted": wanted,
            "available": product.stock if product.active else 0,
        }
        for product_id, wanted in quantities.items()
        if not (product := products[product_id]).in_stock or product.stock < wanted or product.price is None
    ]
    if short:
        names = ", ".join(p["title"] for p in short)
        raise ApplicationError(
            f"Not enough stock for {names}. Change the quantity or remove it; nothing was charged.",
            code="out_of_stock",
            extra={"products": short},
        )
    for product_id, wanted in quantities.items():
        product = products[product_id]
        Product.objects.filter(pk=product_id).update(stock=F("stock") - wanted)
        old_stock, product.stock = product.stock, product.stock - wanted
        send_on_commit(
            signals.product_changed,
            sender=Product,
            product_id=product_id,
            old_price=product.price,
            old_stock=old_stock,
            old_active=product.active,
        )
    return products


@transaction.atomic
def content_create(
    *,
    kind: str,
    source: str = ContentItem.Source.USER,
    creator: Creator | None = None,
    brand: Brand | None = None,
    caption: str = "",
    products: Sequence[Product] = (),
    tags: Iterable[Tag] = (),
    external_id: str | None = None,
    media_name: str = "",
    poster_name: str = "",
    media_width: int | None = None,
    media_height: int | None = None,
    duration_ms: int | None = None,
) -> ContentItem:
    """A new content item in ``draft``. Media files are stored beforehand; their names are passed."""
    if kind in (ContentItem.Kind.VIDEO, ContentItem.Kind.IMAGE) and creator is None:
        raise ApplicationError("Videos and images need a creator.", code="creator_required")
    item = ContentItem.objects.create(
        kind=kind,
        source=source,
        creator=creator,
        brand=brand or (creator.brand if creator else None),
        caption=caption,
        external_id=external_id,
        media=media_name,
        poster=poster_name,
        media_width=media_width,
        media_height=media_height,
        duration_ms=duration_ms,
    )
    ContentProduct.objects.bulk_create(
        ContentProduct(content=item, product=product, position=position) for position, product in enumerate(products)
    )
    item.tags.set(list(tags))
    return item


@transaction.atomic
def content_transition(
    *, item: ContentItem, to: str, reason: str | None = None, also_from: frozenset[str] = frozenset()
) -> ContentItem:
    """Move ``item`` along the review workflow, stamping the time of the step; ``reason`` (when
    given) replaces ``status_reason``, what the creator is told.

    Raises ``ApplicationError(code="invalid_transition")`` and changes nothing for a step the
    workflow does not allow (see ``TRANSITIONS``; ``also_from`` names statuses a caller may step
    from besides). Entering review sends ``content_submitted``, leaving the feed
    ``content_withdrawn`` (after commit).
    """
    locked = ContentItem.objects.select_for_update().get(pk=item.pk)
    if to not in TRANSITIONS[locked.status] and locked.status not in also_from:
        raise ApplicationError(
            f"A {locked.get_status_display().lower()} item cannot become {Status(to).label.lower()}.",
            code="invalid_transition",
            extra={"from": locked.status, "to": to},
        )
    was = locked.status
    locked.status = to
    fields = ["status"]
    if to in _TIMESTAMP_OF:
        setattr(locked, _TIMESTAMP_OF[to], timezone.now())
        fields.append(_TIMESTAMP_OF[to])
    if reason is not None:
        locked.status_reason = reason[:300]
        fields.append("status_reason")
    locked.save(update_fields=fields)
    if to == Status.PENDING:
        send_on_commit(signals.content_submitted, sender=ContentItem, item_id=locked.pk)  # screening (moderation)
    if was == Status.PUBLISHED:
        send_on_commit(signals.content_withdrawn, sender=ContentItem, item_id=locked.pk, status=to)  # live (ranking)
    return locked


def content_submit(*, item: ContentItem) -> ContentItem:
    """Send a draft (or a rejected item, edited) to review. An item still processing goes to review
    by itself when its media is ready (``content.media.pipeline``), never before."""
    if ContentItem.objects.filter(pk=item.pk, status=Status.PROCESSING).exists():
        raise ApplicationError(
            "This item's media is still being processed; it goes to review when it is ready.",
            code="invalid_transition",
            extra={"from": Status.PROCESSING, "to": Status.PENDING},
        )
    return content_transition(item=item, to=Status.PENDING)


def content_publish(*, item: ContentItem) -> ContentItem:
    """Approve ``item``: published now, or ``scheduled`` while its ``publish_at`` is in the future."""
    if item.publish_at is not None and item.publish_at > timezone.now() and item.status != Status.SCHEDULED:
        return content_transition(item=item, to=Status.SCHEDULED, reason="")
    published = content_transition(item=item, to=Status.PUBLISHED, reason="")
    send_on_commit(signals.content_published, sender=ContentItem, item_id=published.pk)  # live push (ranking)
    return published


def content_publish_due(*, now: datetime | None = None) -> int:
    """Publish every scheduled item whose ``publish_at`` has come; returns how many."""
    now = now or timezone.now()
    due = ContentItem.objects.filter(status=Status.SCHEDULED, publish_at__lte=now).order_by("publish_at", "pk")
    published = 0
    for item in due:
        try:
            content_publish(item=item)
        except ApplicationError:
            continue  # removed meanwhile
        published += 1
    return published


def content_reject(*, item: ContentItem, reason: str = "") -> ContentItem:
    return content_transition(item=item, to=Status.REJECTED, reason=reason)


def content_remove(*, item: ContentItem, reason: str | None = None) -> ContentItem:
    return content_transition(item=item, to=Status.REMOVED, reason=reason)


def content_reinstate(*, item: ContentItem) -> ContentItem:
    """Publish a rejected or removed item again: a moderator granted the creator's appeal."""
    published = content_transition(
        item=item, to=Status.PUBLISHED, reason="", also_from=frozenset({Status.REJECTED, Status.REMOVED})
    )
    send_on_commit(signals.content_published, sender=ContentItem, item_id=published.pk)
    return published


def content_hide(*, item: ContentItem, reason: str) -> ContentItem:
    """Take a published item out of the feed until a moderator decides (``content_publish`` puts it
    back, ``content_remove`` takes it down); ``reason`` is what the creator is told."""
    return content_transition(item=item, to=Status.HIDDEN, reason=reason)


def content_appeal_mark(*, item: ContentItem) -> ContentItem:
    """Stamp the creator's one appeal on ``item``; refuses (``appeal_used``) a second one."""
    with transaction.atomic():
        locked = ContentItem.objects.select_for_update().get(pk=item.pk)
        if locked.appealed_at is not None:
            raise ApplicationError("This post has already been appealed.", code="appeal_used")
        locked.appealed_at = timezone.now()
        locked.save(update_fields=["appealed_at"])
    return locked


def comment_create(*, content: ContentItem, author: User, body: str) -> Comment:
    """Post a comment on a published item, after the checks of ``content.comment_checks``.

    A refused comment raises ``ApplicationError`` (code ``comment_refused``, the check's reason in
    ``extra``) and stores nothing; a comment a check hides is stored ``hidden`` with the reason.
    ``signals.comment_created`` is sent in the same transaction once it is stored.
    """
    if content.status != Status.PUBLISHED:
        raise ApplicationError("This post is not available.", code="not_available")
    body = body.strip()
    verdict = comment_verdict(body, author_id=author.pk, content_id=content.pk)
    if verdict.action == "refuse":
        raise ApplicationError(verdict.message, code="comment_refused", extra={"reason": verdict.reason})
    hidden = verdict.action == "hide"
    with transaction.atomic():
        comment = Comment.objects.create(
            content=content,
            author=author,
            body=body,
            status=Comment.Status.HIDDEN if hidden else Comment.Status.VISIBLE,
            moderation_reason=verdict.reason[:64] if hidden else "",
        )
        signals.comment_created.send(sender=Comment, comment_id=comment.pk)  # screening record, case (moderation)
    return comment


def comment_set_status(*, comment: Comment, status: str, reason: str = "") -> Comment:
    """Show or hide a comment (moderators); ``reason`` is kept for a hidden one."""
    if status not in Comment.Status.values:
        raise ApplicationError(f"Unknown comment status {status!r}.", code="invalid_status")
    comment.status = status
    comment.moderation_reason = reason if status == Comment.Status.HIDDEN else ""
    comment.save(update_fields=["status", "moderation_reason"])
    return comment


def content_engagement_refresh(*, counted: Expression) -> int:
    """Set every item's ``engagement`` to ``counted`` (an expression over the item row); returns rows changed.

    Only rows whose count changed are written: a scheduled run over a large catalog rewrites the
    few items people interacted with since, not every row.
    """
    return ContentItem.objects.alias(fresh=counted).exclude(engagement=F("fresh")).update(engagement=F("fresh"))
