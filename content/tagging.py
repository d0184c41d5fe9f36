"""Automatic tags and the tag vocabulary staff manage.

``item_tags_derive`` finds an item's tags in what the creator wrote and linked: hashtags of the
caption, the tags they chose, caption words that name a known tag or synonym, and the linked
products' category and brand tags; every name is resolved through ``TagSynonym`` first. New tags
are only ever made from hashtags and chosen names, never from plain caption words.
``item_tags_apply`` stores them on an item (the studio calls it). ``tag_merge`` folds one tag into
another (admin's "Merge into…").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import pairwise

from django.db import transaction
from django.utils.text import slugify

from content import signals
from content.models import Brand, ContentItem, Product, Tag, TagSynonym
from content.services import tag_category_path_ensure
from feedsite.errors import ApplicationError

# A caption's first hashtags count; a wall of them is spam, not description.
MAX_HASHTAGS = 10
# A hashtag: "#" not inside a word, then letters or digits of any script, "_" or "-" inside.
HASHTAG_RE = re.compile(r"(?<![\w#&])#(\w[\w-]{0,59})")
WORD_RE = re.compile(r"\w+")
# Plain words shorter than this never match a tag ("a", "of", "on").
MIN_WORD_LENGTH = 3
# Kinds a plain caption word may match by slug; categories and brands come from linked products.
WORD_KINDS = (Tag.Kind.TOPIC, Tag.Kind.STYLE, Tag.Kind.INGREDIENT)


def tag_name_slug(name: str) -> str:
    """The slug a hashtag or chosen name stands for: ASCII when it has any ("Café" → "cafe"),
    else its own script ("#着物" → "着物"); "" for a name with no letter or digit."""
    return (slugify(name) or slugify(name, allow_unicode=True))[:120]


def caption_hashtags(caption: str, *, limit: int = MAX_HASHTAGS) -> list[str]:
    """The first ``limit`` distinct hashtags of ``caption`` (by slug), without the "#", as written."""
    found: dict[str, str] = {}
    for match in HASHTAG_RE.finditer(caption):
        name = match.group(1).strip("-_")
        slug = tag_name_slug(name)
        if slug and slug not in found:
            found[slug] = name
            if len(found) == limit:
                break
    return list(found.values())


def _resolved(slugs: Iterable[str]) -> dict[str, Tag]:
    """The tag each of ``slugs`` names, its own or through a synonym; absent ones are left out."""
    wanted = set(slugs)
    by_slug = {tag.slug: tag for tag in Tag.objects.filter(slug__in=wanted)}
    for synonym in TagSynonym.objects.filter(slug__in=wanted - set(by_slug)).select_related("tag"):
        by_slug[synonym.slug] = synonym.tag
    return by_slug


def _named_tags(names: Sequence[str]) -> list[Tag]:
    """The tags of hashtags or chosen ``names``: known ones (or their synonym's), the rest created as topics."""
    slugs = {tag_name_slug(name): name.strip() for name in names}
    slugs.pop("", None)
    known = _resolved(slugs)
    tags = []
    for slug, name in slugs.items():
        tag = known.get(slug)
        if tag is None:
            tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name[:120], "kind": Tag.Kind.TOPIC})
        tags.append(tag)
    return tags


def _caption_word_tags(caption: str) -> list[Tag]:
    """Existing tags that caption words name, single words and pairs ("linen shirt" → linen-shirt)."""
    words = [w for w in WORD_RE.findall(caption.lower()) if not w.isdigit()]
    candidates = [slugify(w) or slugify(w, allow_unicode=True) for w in words if len(w) >= MIN_WORD_LENGTH]
    candidates += [tag_name_slug(f"{a} {b}") for a, b in pairwise(words)]
    candidates = [c for c in candidates if c]
    resolved = _resolved(candidates)
    # A word names a category or brand tag only through a synonym staff made.
    barred = {slug for slug, tag in resolved.items() if tag.slug == slug and tag.kind not in WORD_KINDS}
    return [resolved[slug] for slug in dict.fromkeys(candidates) if slug in resolved and slug not in barred]


def tag_brand_ensure(*, brand: Brand) -> Tag:
    """The brand's tag (kind ``brand``, slug ``brand-<brand slug>``), created on first use."""
    tag, _ = Tag.objects.get_or_create(
        slug=f"brand-{brand.slug}"[:120], defaults={"name": brand.name[:120], "kind": Tag.Kind.BRAND}
    )
    return tag


@transaction.atomic
def item_tags_derive(*, caption: str, products: Sequence[Product], chosen: Sequence[str]) -> list[Tag]:
    """An item's tags, each once, in this order: hashtags of ``caption`` (the first
    ``MAX_HASHTAGS``), the ``chosen`` names, caption words naming a known tag or synonym, then
    each linked product's category path (root first) and brand.

    Creates the tags hashtags and chosen names stand for, and the products' category and brand
    tags, when missing; a plain caption word never creates one.
    """
    tags = _named_tags(caption_hashtags(caption)) + _named_tags(chosen) + _caption_word_tags(caption)
    for product in products:
        if product.category_path:
            tags += tag_category_path_ensure(path=product.category_path)
        if product.brand is not None:
            tags.append(tag_brand_ensure(brand=product.brand))
    return list({tag.pk: tag for tag in tags}.values())


@transaction.atomic
def item_tags_apply(*, item: ContentItem, chosen: Sequence[str] = ()) -> list[Tag]:
    """Replace ``item``'s tags by those ``item_tags_derive`` finds in its caption, its linked
    products (in the creator's order) and ``chosen``; returns them."""
    products = [link.product for link in item.product_links.select_related("product__brand").order_by("position")]
    tags = item_tags_derive(caption=item.caption, products=products, chosen=chosen)
    item.tags.set(tags)
    return tags


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag) -> Tag:
    """Fold ``source`` into ``target``: its items are tagged ``target`` instead, its children and
    synonyms move to ``target``, its slug becomes a synonym of ``target``, then it is deleted.

    ``signals.tag_merged`` is sent inside the transaction, before the deletion, so that the apps
    above re-point what refers to ``source`` (shoppers' interests, content-mix rules) or the whole
    merge is undone. Refuses (``invalid_merge``) a tag into itself or into one of its descendants.
    """
    if source.pk == target.pk:
        raise ApplicationError("A tag cannot be merged into itself.", code="invalid_merge")
    ancestor: Tag | None = Tag.objects.select_related("parent").get(pk=target.pk)
    while ancestor is not None:
        if ancestor.parent_id == source.pk:
            raise ApplicationError(
                f"{target.name} is under {source.name}: merge it the other way, or move it first.",
                code="invalid_merge",
                extra={"source": source.slug, "target": target.slug},
            )
        ancestor = ancestor.parent
    through = ContentItem.tags.through
    tagged = through.objects.filter(tag_id=source.pk)
    through.objects.bulk_create(
        [
            through(contentitem_id=item_id, tag_id=target.pk)
            for item_id in tagged.values_list("contentitem_id", flat=True)
        ],
        ignore_conflicts=True,
    )
    tagged.delete()
    Tag.objects.filter(parent_id=source.pk).update(parent_id=target.pk)
    TagSynonym.objects.filter(tag_id=source.pk).update(tag_id=target.pk)
    TagSynonym.objects.get_or_create(slug=source.slug, defaults={"tag": target})
    signals.tag_merged.send(
        sender=Tag, source_id=source.pk, source_slug=source.slug, target_id=target.pk, target_slug=target.slug
    )
    source.delete()
    return target
