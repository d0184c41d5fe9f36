"""Automatic tags (content.tagging): what an item is tagged with, and merging tags."""

from __future__ import annotations

import pytest

from content.models import Tag, TagSynonym
from content.tagging import caption_hashtags, item_tags_apply, item_tags_derive, tag_merge
from feedsite.errors import ApplicationError
from profiles.models import Interest
from ranking.models import MixRule
from tests.factories import (
    BrandFactory,
    ContentItemFactory,
    MixPolicyFactory,
    ProductFactory,
    ShopperFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def slugs(tags) -> list[str]:
    return [tag.slug for tag in tags]


@pytest.mark.parametrize(
    ("caption", "hashtags"),
    [
        ("Morning #GlowUp routine #glowup #skin-care!", ["GlowUp", "skin-care"]),
        ("Tokyo #着物 and #Café", ["着物", "Café"]),
        ("not a tag: a#b, &#39; or ## or #_", []),
        (" ".join(f"#t{n}" for n in range(15)), [f"t{n}" for n in range(10)]),
    ],
    ids=["dedupe-by-slug", "unicode", "not-hashtags", "at-most-10"],
)
def test_hashtags_are_read_from_the_caption(caption, hashtags):
    assert caption_hashtags(caption) == hashtags


def test_derived_tags_come_from_hashtags_choices_caption_words_and_products_each_once():
    linen = TagFactory(slug="linen", name="Linen", kind=Tag.Kind.STYLE)
    skincare = TagFactory(slug="skincare", name="Skincare")
    TagSynonym.objects.create(tag=skincare, slug="skin-care")
    shirt = TagFactory(slug="summer-shirt", name="Summer shirt")
    brand = BrandFactory(slug="glow", name="Glow")
    product = ProductFactory(category_path="Fashion > Shirts", brand=brand)
    unbranded = ProductFactory(category_path="", brand=None)

    tags = item_tags_derive(
        caption="My #Skin-Care and #newdrop: a linen summer shirt, nothing about serums",
        products=[product, unbranded],
        chosen=["Linen", "Beach days"],
    )

    assert slugs(tags) == [
        "skincare",  # #Skin-Care, through its synonym
        "newdrop",  # a new hashtag makes a tag
        "linen",  # chosen, known
        "beach-days",  # chosen, new
        "summer-shirt",  # a pair of caption words naming a tag
        "cat-fashion",
        "cat-fashion-shirts",
        "brand-glow",
    ]
    assert (Tag.objects.get(slug="newdrop").kind, Tag.objects.get(slug="brand-glow").kind) == ("topic", "brand")
    assert Tag.objects.get(slug="cat-fashion-shirts").parent == Tag.objects.get(slug="cat-fashion")
    assert shirt in tags
    assert linen in tags
    # Plain words never make a tag.
    assert not Tag.objects.filter(slug__in=["serums", "nothing", "about"]).exists()


def test_a_plain_word_names_a_category_or_brand_tag_only_through_a_synonym():
    category = TagFactory(slug="serum", name="Serum", kind=Tag.Kind.CATEGORY)
    TagFactory(slug="glow", name="Glow", kind=Tag.Kind.BRAND)
    assert item_tags_derive(caption="glow serum", products=[], chosen=[]) == []

    TagSynonym.objects.create(tag=category, slug="serums")

    assert item_tags_derive(caption="two serums", products=[], chosen=[]) == [category]


def test_applying_tags_replaces_the_items_tags():
    old = TagFactory(slug="old")
    product = ProductFactory(category_path="Beauty", brand=BrandFactory(slug="glow"))
    item = ContentItemFactory(caption="#fresh look", products=[product], tags=[old])

    applied = item_tags_apply(item=item, chosen=["Evening"])

    assert slugs(applied) == ["fresh", "evening", "cat-beauty", "brand-glow"]
    assert sorted(item.tags.values_list("slug", flat=True)) == sorted(slugs(applied))


def test_merging_moves_items_children_synonyms_interests_and_rules_then_deletes_the_source():
    source = TagFactory(slug="skin-care", name="Skin care")
    target = TagFactory(slug="skincare", name="Skincare")
    child = TagFactory(slug="night-care", parent=source)
    TagSynonym.objects.create(tag=source, slug="skincare-tips")
    only_source, both = ContentItemFactory(tags=[source]), ContentItemFactory(tags=[source, target])
    keen, keener = ShopperFactory(), ShopperFactory()
    Interest.objects.create(shopper=keen, tag=source)
    Interest.objects.create(shopper=keener, tag=source)
    Interest.objects.create(shopper=keener, tag=target)
    rule = MixRule.objects.create(
        policy=MixPolicyFactory(), action=MixRule.Action.BOOST, match=MixRule.Match.TAG, value="skin-care", amount=2
    )

    tag_merge(source=source, target=target)

    assert not Tag.objects.filter(pk=source.pk).exists()
    assert list(only_source.tags.values_list("slug", flat=True)) == ["skincare"]
    assert list(both.tags.values_list("slug", flat=True)) == ["skincare"]
    child.refresh_from_db()
    assert child.parent == target
    assert sorted(TagSynonym.objects.filter(tag=target).values_list("slug", flat=True)) == [
        "skin-care",
        "skincare-tips",
    ]
    assert sorted(Interest.objects.values_list("shopper_id", "tag_id")) == [
        (keen.pk, target.pk),
        (keener.pk, target.pk),
    ]
    rule.refresh_from_db()
    assert rule.value == "skincare"
    # The merged name now lands on the target: as a hashtag, and as a category path's tag.
    assert item_tags_derive(caption="#skin-care", products=[], chosen=[]) == [target]


def test_a_merged_category_is_not_made_again_by_a_products_path():
    fashion = TagFactory(slug="cat-fashion", name="Fashion", kind=Tag.Kind.CATEGORY)
    apparel = TagFactory(slug="cat-apparel", name="Apparel", kind=Tag.Kind.CATEGORY)

    tag_merge(source=apparel, target=fashion)
    tags = item_tags_derive(caption="", products=[ProductFactory(category_path="Apparel")], chosen=[])

    assert tags == [fashion]
    assert not Tag.objects.filter(slug="cat-apparel").exists()


@pytest.mark.parametrize("into", ["itself", "descendant"])
def test_a_merge_into_itself_or_a_descendant_is_refused_and_changes_nothing(into):
    source = TagFactory(slug="beauty")
    child = TagFactory(slug="skin", parent=source)
    grandchild = TagFactory(slug="serum", parent=child)
    item = ContentItemFactory(tags=[source])
    target = source if into == "itself" else grandchild

    with pytest.raises(ApplicationError) as refused:
        tag_merge(source=source, target=target)

    assert refused.value.code == "invalid_merge"
    assert Tag.objects.count() == 3
    assert list(item.tags.all()) == [source]
    assert TagSynonym.objects.count() == 0
