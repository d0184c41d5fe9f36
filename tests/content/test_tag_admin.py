"""The tag vocabulary in admin (content.admin.tags): synonyms inline, and "Merge into…"."""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse

from content.models import Tag, TagSynonym
from tests.factories import BrandFactory, ContentItemFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/content/tag/"


def merge(client, tags, **extra):
    data = {"action": "merge_into", helpers.ACTION_CHECKBOX_NAME: [t.pk for t in tags], **extra}
    return client.post(CHANGELIST, data, follow=True)


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def test_synonyms_are_edited_inline_on_the_tag(admin_client):
    tag = TagFactory(slug="skincare", name="Skincare")
    url = reverse("admin:content_tag_change", args=[tag.pk])
    form = {
        "slug": "skincare",
        "name": "Skincare",
        "kind": "topic",
        "parent": "",
        "synonyms-TOTAL_FORMS": "1",
        "synonyms-INITIAL_FORMS": "0",
        "synonyms-0-slug": "skin-care",
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302
    assert list(TagSynonym.objects.values_list("tag_id", "slug")) == [(tag.pk, "skin-care")]


def test_merge_asks_for_the_target_first_and_changes_nothing_until_confirmed(admin_client):
    source, other = TagFactory(slug="skin-care", name="Skin care"), TagFactory(slug="skin-tips", name="Skin tips")

    page = merge(admin_client, [source, other])

    assert page.status_code == 200
    assert [t.slug for t in page.context["queryset"]] == ["skin-care", "skin-tips"]
    body = page.content.decode()
    assert 'name="post" value="yes"' in body
    assert "/admin/autocomplete/" in body
    assert Tag.objects.count() == 2


def test_confirmed_merge_folds_the_selected_tags_into_the_target(admin_client):
    source, other, target = (
        TagFactory(slug="skin-care", name="Skin care"),
        TagFactory(slug="skin-tips", name="Skin tips"),
        TagFactory(slug="skincare", name="Skincare"),
    )
    item = ContentItemFactory(tags=[source, other])

    done = merge(admin_client, [source, other, target], post="yes", target=target.pk)

    assert messages_of(done) == [("success", "Merged skin-care, skin-tips into skincare.")]
    assert list(Tag.objects.values_list("slug", flat=True)) == ["skincare"]
    assert list(item.tags.values_list("slug", flat=True)) == ["skincare"]
    assert sorted(TagSynonym.objects.values_list("slug", flat=True)) == ["skin-care", "skin-tips"]


def test_a_refused_merge_is_reported_and_the_others_go_ahead(admin_client):
    parent = TagFactory(slug="beauty", name="Beauty")
    target = TagFactory(slug="skin", name="Skin", parent=parent)
    loose = TagFactory(slug="skin-stuff", name="Skin stuff")

    done = merge(admin_client, [parent, loose], post="yes", target=target.pk)

    assert messages_of(done) == [
        ("error", "Beauty: Skin is under Beauty: merge it the other way, or move it first."),
        ("success", "Merged skin-stuff into skin."),
    ]
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["beauty", "skin"]


def test_merge_without_a_target_asks_again(admin_client):
    source = TagFactory(slug="skin-care")

    page = merge(admin_client, [source], post="yes")

    assert page.status_code == 200
    assert page.context["form"].errors == {"target": ["This field is required."]}
    assert Tag.objects.count() == 1


def test_staff_without_the_change_permission_cannot_merge(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_tag"))
    client.force_login(viewer)
    source, target = TagFactory(slug="a-tag"), TagFactory(slug="b-tag")

    response = client.post(
        CHANGELIST,
        {"action": "merge_into", helpers.ACTION_CHECKBOX_NAME: [source.pk], "post": "yes", "target": target.pk},
        follow=True,
    )

    # The action is not offered: the changelist answers, neither the merge page nor a merge.
    assert response.status_code == 200
    assert "admin/content/tag/merge.html" not in [t.name for t in response.templates]
    assert Tag.objects.count() == 2


def test_brand_admin_lists_and_filters_merchants(admin_client):
    merchant = UserFactory(username="glow-shop")
    brand = BrandFactory(slug="glow")
    brand.merchants.add(merchant)
    BrandFactory(slug="other")

    page = admin_client.get(reverse("admin:content_brand_change", args=[brand.pk]))
    listed = admin_client.get("/admin/content/brand/", {"merchants__id__exact": merchant.pk})

    # filter_horizontal: the two-box picker.
    assert 'data-field-name="merchants"' in page.content.decode()
    assert [b.slug for b in listed.context["cl"].result_list] == ["glow"]
