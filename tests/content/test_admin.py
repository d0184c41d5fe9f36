import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import ContentItem, Creator, Product, Tag
from tests.factories import (
    BrandFactory,
    ContentItemFactory,
    CreatorFactory,
    FollowFactory,
    ProductFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db
Status = ContentItem.Status


def _changelist(model: str) -> str:
    return reverse(f"admin:content_{model}_changelist")


def _listed(response) -> set[int]:
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in response.context["messages"]]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


# Each builder makes one changelist row with everything its columns show.
def _brand() -> None:
    brand = BrandFactory()
    ProductFactory(brand=brand)
    ContentItemFactory(brand=brand)


def _creator() -> None:
    creator = CreatorFactory(brand=BrandFactory())
    ContentItemFactory(creator=creator)
    FollowFactory(creator=creator)


def _tag() -> None:
    TagFactory(parent=TagFactory())


def _product() -> None:
    ProductFactory(brand=BrandFactory())


def _item() -> None:
    ContentItemFactory(poster="posters/a.jpg", products=[ProductFactory()], tags=[TagFactory()])


@pytest.mark.parametrize(
    ("model", "build", "rows_per_build"),
    [
        ("brand", _brand, 1),
        ("creator", _creator, 1),
        ("tag", _tag, 2),
        ("product", _product, 1),
        ("contentitem", _item, 1),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model, build, rows_per_build):
    for _ in range(3):
        build()
    admin_client.get(_changelist(model))  # warms the session and content-type caches
    few = _queries(admin_client, _changelist(model))

    for _ in range(27):
        build()
    many = _queries(admin_client, _changelist(model))

    assert len(_listed(admin_client.get(_changelist(model)))) == 30 * rows_per_build
    assert many == few


# Brand


def test_brand_changelist_counts_products_and_published_items(admin_client):
    brand = BrandFactory()
    ProductFactory.create_batch(2, brand=brand)
    ContentItemFactory(brand=brand)
    ContentItemFactory(brand=brand, status=Status.DRAFT, published_at=None)

    response = admin_client.get(_changelist("brand"))

    [row] = response.context["cl"].result_list
    assert (row.product_count, row.published_count) == (2, 1)


def test_brand_search_by_name(admin_client):
    glow = BrandFactory(name="Glow Lab")
    BrandFactory(name="Urban Run")

    assert _listed(admin_client.get(_changelist("brand"), {"q": "glow"})) == {glow.pk}


# Creator


def test_creator_changelist_counts_published_items_and_followers_separately(admin_client):
    creator = CreatorFactory()
    ContentItemFactory.create_batch(2, creator=creator)
    ContentItemFactory(creator=creator, status=Status.PENDING, published_at=None)
    FollowFactory.create_batch(3, creator=creator)

    response = admin_client.get(_changelist("creator"))

    [row] = response.context["cl"].result_list
    assert (row.published_count, row.follower_count) == (2, 3)


@pytest.mark.parametrize("term", ["mira", "Mira Jones", "mira@shop.example"])
def test_creator_search_by_handle_display_name_or_user_email(admin_client, term):
    mira = CreatorFactory(handle="mira", display_name="Mira Jones", user__email="mira@shop.example")
    CreatorFactory(handle="tom", display_name="Tom", user__email="tom@shop.example")

    assert _listed(admin_client.get(_changelist("creator"), {"q": term})) == {mira.pk}


@pytest.mark.parametrize(
    ("params", "expected"),
    [({"kind__exact": "brand"}, {"brand"}), ({"verified__exact": "1"}, {"verified"})],
)
def test_creator_filters(admin_client, params, expected):
    creators = {
        "brand": CreatorFactory(kind=Creator.Kind.BRAND, brand=BrandFactory()),
        "verified": CreatorFactory(verified=True),
        "plain": CreatorFactory(),
    }

    listed = _listed(admin_client.get(_changelist("creator"), params))

    assert listed == {creators[name].pk for name in expected}


# Tag


def test_tag_search_and_kind_filter(admin_client):
    serum = TagFactory(name="Serum", slug="serum", kind=Tag.Kind.CATEGORY)
    TagFactory(name="Minimal", slug="minimal", kind=Tag.Kind.STYLE)
    TagFactory(name="Serum tips", slug="serum-tips", kind=Tag.Kind.TOPIC)

    listed = _listed(admin_client.get(_changelist("tag"), {"q": "serum", "kind__exact": "category"}))

    assert listed == {serum.pk}


def test_tag_changelist_shows_the_parent(admin_client):
    TagFactory(name="Serum", parent=TagFactory(name="Skin"))

    response = admin_client.get(_changelist("tag"), {"q": "Serum"})

    assert '<td class="field-parent nowrap">Skin</td>' in response.content.decode()


def test_tag_autocomplete_serves_the_content_item_tag_field(admin_client):
    serum = TagFactory(name="Serum")
    TagFactory(name="Minimal")

    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "content", "model_name": "contentitem", "field_name": "tags", "term": "ser"},
    )

    assert response.json()["results"] == [{"id": str(serum.pk), "text": "Serum"}]


# Product


@pytest.mark.parametrize("term", ["serum", "sku-glow-1", "glow lab"])
def test_product_search_by_title_external_id_or_brand(admin_client, term):
    serum = ProductFactory(title="Vitamin C serum", external_id="sku-glow-1", brand=BrandFactory(name="Glow Lab"))
    ProductFactory(title="Trail shoe", external_id="sku-run-9", brand=BrandFactory(name="Urban Run"))

    assert _listed(admin_client.get(_changelist("product"), {"q": term})) == {serum.pk}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stock_state": "in"}, {"stocked", "inactive"}),
        ({"stock_state": "out"}, {"sold_out", "dollars"}),
        ({"active__exact": "0"}, {"inactive"}),
        ({"currency": "USD"}, {"dollars"}),
        ({"brand": "glow"}, {"stocked", "sold_out"}),
    ],
)
def test_product_filters(admin_client, params, expected):
    glow = BrandFactory(name="Glow Lab")
    products = {
        "stocked": ProductFactory(stock=5, brand=glow),
        "sold_out": ProductFactory(stock=0, brand=glow),
        "inactive": ProductFactory(stock=3, active=False),
        "dollars": ProductFactory(stock=0, currency="USD"),
    }
    if params == {"brand": "glow"}:
        params = {"brand__id__exact": str(glow.pk)}

    listed = _listed(admin_client.get(_changelist("product"), params))

    assert listed == {products[name].pk for name in expected}


def test_product_added_in_admin_goes_through_the_catalog_upsert(admin_client):
    response = admin_client.post(
        reverse("admin:content_product_add"),
        {"external_id": "sku-77", "title": "Tote", "price": "12.50", "currency": "usd", "stock": "4", "active": "on"},
    )

    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.external_id, product.price, product.currency, product.stock) == (
        "sku-77",
        Decimal("12.50"),
        "USD",
        4,
    )


def test_product_external_id_cannot_be_changed_in_admin(admin_client):
    product = ProductFactory(external_id="sku-1", title="Tote", stock=1)

    response = admin_client.post(
        reverse("admin:content_product_change", args=[product.pk]),
        {"external_id": "sku-2", "title": "Tote bag", "price": "19.90", "currency": "EUR", "stock": "1"},
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.external_id, product.title, product.active) == ("sku-1", "Tote bag", False)
    assert Product.objects.count() == 1


def test_product_stock_and_active_are_editable_in_the_list(admin_client):
    product = ProductFactory(stock=10)

    response = admin_client.post(
        _changelist("product"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(product.pk),
            "form-0-stock": "0",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.stock, product.active) == (0, False)


# Content items: the list


@pytest.mark.parametrize("term", ["sunset", "ext-42", "mira"])
def test_content_search_by_caption_exact_external_id_or_creator_handle(admin_client, term):
    wanted = ContentItemFactory(caption="Sunset look", external_id="ext-42", creator__handle="mira")
    ContentItemFactory(caption="Morning run", external_id="ext-420", creator__handle="tom")

    assert _listed(admin_client.get(_changelist("contentitem"), {"q": term})) == {wanted.pk}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "pending_review"}, {"pending"}),
        ({"kind__exact": "video"}, {"video"}),
        ({"source__exact": "brand"}, {"brand"}),
        ({"published_at__year": "2024", "published_at__month": "3"}, {"march"}),
    ],
)
def test_content_filters_and_date_hierarchy(admin_client, params, expected):
    items = {
        "pending": ContentItemFactory(status=Status.PENDING, published_at=None),
        "video": ContentItemFactory(kind=ContentItem.Kind.VIDEO),
        "brand": ContentItemFactory(source=ContentItem.Source.BRAND),
        "march": ContentItemFactory(published_at=datetime(2024, 3, 9, 12, tzinfo=UTC)),
    }

    listed = _listed(admin_client.get(_changelist("contentitem"), params))

    assert listed == {items[name].pk for name in expected}


def test_content_list_shows_poster_thumbnail_and_product_count(admin_client):
    ContentItemFactory(poster="posters/2024/03/look.jpg", products=ProductFactory.create_batch(2))

    response = admin_client.get(_changelist("contentitem"))

    [row] = response.context["cl"].result_list
    assert row.product_count == 2
    assert (
        '<img src="/media/posters/2024/03/look.jpg" alt="" width="48" height="48" loading="lazy"'
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("fields", "thumbnail"),
    [
        (
            {"poster": "posters/p.jpg", "media": "media/clip.mp4"},
            '<img src="/media/posters/p.jpg" alt="" width="48" height="48" loading="lazy" class="admin-thumbnail">',
        ),
        (
            {"media": "media/look.PNG"},
            '<img src="/media/media/look.PNG" alt="" width="48" height="48" loading="lazy" class="admin-thumbnail">',
        ),
        ({"kind": ContentItem.Kind.VIDEO, "media": "media/clip.mp4"}, "—"),
        ({}, "—"),
    ],
)
def test_content_thumbnail_is_the_poster_else_an_image_medium(fields, thumbnail):
    item = ContentItemFactory(**fields)

    assert site._registry[ContentItem].thumbnail(item) == thumbnail


def test_content_thumbnail_cannot_inject_markup_through_a_file_name(admin_client):
    ContentItemFactory(poster='posters/x"onerror="alert(1)<b>.jpg')

    html = admin_client.get(_changelist("contentitem")).content.decode()

    assert 'src="/media/posters/x%22onerror%3D%22alert(1)%3Cb%3E.jpg"' in html
    assert "onerror=" not in html


# Content items: the review actions


# Moderation's admin asks a decision's reason code and note first; these are the confirmed POSTs.
_REASONS = {"publish": "ok", "reject": "spam", "remove": "spam"}


def _act(client, action: str, *items: ContentItem):
    data = {"action": action, "_selected_action": [str(item.pk) for item in items]}
    if action in _REASONS:
        data |= {"post": "yes", "reason_code": _REASONS[action], "note": ""}
    return client.post(_changelist("contentitem"), data, follow=True)


@pytest.mark.parametrize(
    ("start", "action", "end", "stamp", "said"),
    [
        (Status.DRAFT, "send_to_review", Status.PENDING, "submitted_at", "1 item sent to review."),
        (Status.PENDING, "publish", Status.PUBLISHED, "published_at", "1 item published."),
        (Status.PENDING, "reject", Status.REJECTED, "rejected_at", "1 item rejected."),
        (Status.PUBLISHED, "remove", Status.REMOVED, "removed_at", "1 item removed."),
    ],
)
def test_review_action_moves_the_item_through_the_workflow(admin_client, start, action, end, stamp, said):
    item = ContentItemFactory(status=start, published_at=None if start != Status.PUBLISHED else datetime.now(UTC))

    response = _act(admin_client, action, item)

    item.refresh_from_db()
    assert item.status == end
    assert getattr(item, stamp) is not None
    assert _messages(response) == [("success", said)]


@pytest.mark.parametrize(
    ("start", "action", "refusal"),
    [
        (Status.REMOVED, "publish", "A removed item cannot become published."),
        (Status.DRAFT, "publish", "A draft item cannot become published."),
        (Status.PUBLISHED, "reject", "A published item cannot become rejected."),
        (Status.REMOVED, "send_to_review", "A removed item cannot become pending review."),
    ],
)
def test_disallowed_review_action_changes_nothing_and_says_why(admin_client, start, action, refusal):
    item = ContentItemFactory(status=start)
    before = ContentItem.objects.values().get(pk=item.pk)

    response = _act(admin_client, action, item)

    assert ContentItem.objects.values().get(pk=item.pk) == before
    assert _messages(response) == [("error", f"Image #{item.pk}: {refusal}")]


def test_review_action_reports_each_item_and_a_refusal_does_not_stop_the_others(admin_client):
    pending = ContentItemFactory(status=Status.PENDING, published_at=None)
    removed = ContentItemFactory(status=Status.REMOVED)
    also_pending = ContentItemFactory(status=Status.PENDING, published_at=None)
    removed_before = ContentItem.objects.values().get(pk=removed.pk)

    response = _act(admin_client, "publish", pending, removed, also_pending)

    assert set(ContentItem.objects.filter(status=Status.PUBLISHED).values_list("pk", flat=True)) == {
        pending.pk,
        also_pending.pk,
    }
    assert ContentItem.objects.values().get(pk=removed.pk) == removed_before
    assert _messages(response) == [
        ("success", "2 items published."),
        ("error", f"Image #{removed.pk}: A removed item cannot become published."),
    ]


def test_content_items_cannot_be_deleted_from_admin(admin_client):
    item = ContentItemFactory()

    response = admin_client.get(reverse("admin:content_contentitem_delete", args=[item.pk]))
    actions = admin_client.get(_changelist("contentitem")).context["action_form"].fields["action"].choices

    assert response.status_code == 403
    assert ContentItem.objects.filter(pk=item.pk).exists()
    assert [name for name, _ in actions] == ["", "publish", "reject", "remove", "send_to_review", "retry_media"]


# Content items: the form


def _item_form(**fields: str) -> dict[str, str]:
    return {
        "kind": "image",
        "source": "ugc",
        "caption": "",
        "product_links-TOTAL_FORMS": "0",
        "product_links-INITIAL_FORMS": "0",
        "product_links-MIN_NUM_FORMS": "0",
        "product_links-MAX_NUM_FORMS": "1000",
        **fields,
    }


def test_content_form_cannot_change_status_or_its_timestamps(admin_client):
    item = ContentItemFactory(status=Status.DRAFT, published_at=None, caption="Old")

    response = admin_client.post(
        reverse("admin:content_contentitem_change", args=[item.pk]),
        _item_form(
            creator=str(item.creator_id),
            caption="New caption",
            status="published",
            published_at="2024-01-01 00:00:00",
        ),
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.caption, item.status, item.published_at) == ("New caption", Status.DRAFT, None)


def test_content_added_in_admin_is_a_draft_made_by_the_service_with_its_products(admin_client):
    brand = BrandFactory()
    creator = CreatorFactory(brand=brand)
    product = ProductFactory()
    tag = TagFactory()

    response = admin_client.post(
        reverse("admin:content_contentitem_add"),
        _item_form(
            creator=str(creator.pk),
            caption="Hello",
            tags=str(tag.pk),
            **{
                "product_links-TOTAL_FORMS": "1",
                "product_links-0-position": "0",
                "product_links-0-product": str(product.pk),
            },
        ),
    )

    assert response.status_code == 302
    item = ContentItem.objects.get()
    assert (item.status, item.brand, item.caption) == (Status.DRAFT, brand, "Hello")
    assert list(item.products.all()) == [product]
    assert list(item.tags.all()) == [tag]


def test_content_form_refuses_a_video_without_creator(admin_client):
    response = admin_client.post(reverse("admin:content_contentitem_add"), _item_form(kind="video"))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Constraint “content_media_has_creator” is violated."
    ]
    assert ContentItem.objects.count() == 0


def test_brand_and_product_models_are_registered_for_autocomplete(admin_client):
    brand = BrandFactory(name="Glow Lab")
    product = ProductFactory(title="Glow serum")

    brands = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "content", "model_name": "creator", "field_name": "brand", "term": "glow"},
    ).json()
    products = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "content", "model_name": "contentproduct", "field_name": "product", "term": "glow"},
    ).json()

    assert [row["id"] for row in brands["results"]] == [str(brand.pk)]
    assert [row["id"] for row in products["results"]] == [str(product.pk)]


# Content items: review from the item's page


def _review_buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" name="_review_step" value="(\w+)"', html)


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        (Status.DRAFT, ["remove", "send_to_review"]),
        (Status.PENDING, ["publish", "reject", "remove"]),
        (Status.PUBLISHED, ["remove"]),
        (Status.REMOVED, []),
    ],
)
def test_item_page_offers_the_steps_the_workflow_allows_after_a_save_button(admin_client, status, buttons):
    item = ContentItemFactory(status=status)

    html = admin_client.get(reverse("admin:content_contentitem_change", args=[item.pk])).content.decode()

    assert _review_buttons(html) == buttons
    # Enter in a text field presses the form's first submit button: it must be Save, not a review step.
    first_submit = re.search(r'<(?:input|button) type="submit"[^>]*>', html.split('id="contentitem_form"')[1])
    assert 'name="_save"' in first_submit.group(0)


def test_review_button_saves_the_edit_then_takes_the_step(admin_client):
    item = ContentItemFactory(status=Status.PENDING, published_at=None, caption="Old")
    url = reverse("admin:content_contentitem_change", args=[item.pk])

    response = admin_client.post(
        url,
        _item_form(
            creator=str(item.creator_id), caption="Fixed typo", _review_step="publish", **{"_review-reason_code": "ok"}
        ),
        follow=True,
    )

    item.refresh_from_db()
    assert (item.caption, item.status) == ("Fixed typo", Status.PUBLISHED)
    assert item.published_at is not None
    assert response.redirect_chain == [(url, 302)]
    assert _messages(response) == [("success", f"Image #{item.pk} published.")]


def test_review_button_for_a_step_no_longer_allowed_changes_no_status(admin_client):
    item = ContentItemFactory(status=Status.REMOVED)
    before = ContentItem.objects.values("status", "published_at", "removed_at").get(pk=item.pk)

    response = admin_client.post(
        reverse("admin:content_contentitem_change", args=[item.pk]),
        _item_form(
            creator=str(item.creator_id), caption=item.caption, _review_step="publish", **{"_review-reason_code": "ok"}
        ),
        follow=True,
    )

    assert ContentItem.objects.values("status", "published_at", "removed_at").get(pk=item.pk) == before
    assert _messages(response) == [("error", f"Image #{item.pk}: A removed item cannot become published.")]


def test_staff_who_may_only_view_get_no_review_steps(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_contentitem"))
    client.force_login(viewer)
    item = ContentItemFactory(status=Status.PENDING, published_at=None)

    page = client.get(reverse("admin:content_contentitem_change", args=[item.pk]))
    refused = client.post(_changelist("contentitem"), {"action": "publish", "_selected_action": [str(item.pk)]})

    assert _review_buttons(page.content.decode()) == []
    assert refused.context["action_form"] is None  # no review action is offered, so none is run
    item.refresh_from_db()
    assert item.status == Status.PENDING
