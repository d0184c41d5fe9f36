"""The permission matrix: what each role may do in the admin and through the API, allowed and refused.

One user per role (made the way the site makes them: sign-up, an approved application, a brand's
merchant list, a staff account given the role), plus an anonymous client and a superuser. The
tables below are the expectations; every registered model admin, admin action, custom admin URL
and API operation must appear in them, so a new one fails ``test_*_tables_cover_*`` until its
row says who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin, messages
from django.contrib.auth.models import Permission, User
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from content.catalog.services import merchant_role_sync
from content.models import Brand, Comment, ContentItem, Creator, Product
from content.studio.services import creator_apply, creator_review
from experiments.models import Experiment
from feedsite.roles import Role, role_join
from moderation.models import CreatorStanding
from profiles.models import ConsentRecord, Follow, Like, Shopper
from profiles.services import account_create, shopper_for_user
from profiles.shop.models import CartLine
from ranking.models import MixPolicy, RankerModel
from tests.factories import (
    BrandFactory,
    ContentItemFactory,
    CreatorFactory,
    ExperimentFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

ANONYMOUS, SUPERUSER = "anonymous", "superuser"
ROLES = (ANONYMOUS, *(role.value for role in Role), SUPERUSER)
STAFF = frozenset({Role.MODERATORS.value, Role.MARKETERS.value, Role.ADMINS.value, SUPERUSER})
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
MOD = frozenset({Role.MODERATORS.value})
MKT = frozenset({Role.MARKETERS.value})
NOBODY: frozenset[str] = frozenset()

# ---- the admin ---------------------------------------------------------------------------------

# Who, besides admins and superusers, may open each registered model admin's list.
ADMIN_VIEWS: dict[str, frozenset[str]] = {
    "auth.group": NOBODY,
    "auth.user": NOBODY,
    "authtoken.tokenproxy": NOBODY,
    "axes.accessattempt": NOBODY,
    "axes.accesslog": NOBODY,
    "axes.accessfailurelog": NOBODY,
    "content.brand": MOD | MKT,
    "content.creator": MOD | MKT,
    "content.product": MOD | MKT,
    "content.comment": MOD,
    "content.contentitem": MOD | MKT,
    "content.tag": MOD | MKT,
    "profiles.shopper": MOD,
    "profiles.consentrecord": NOBODY,
    "profiles.interest": NOBODY,
    "profiles.follow": NOBODY,
    "profiles.like": NOBODY,
    "events.interaction": NOBODY,
    "shop.cart": NOBODY,
    "shop.order": NOBODY,
    "ranking.feedrequest": MKT,
    "ranking.mixpolicy": MKT,
    "ranking.rankermodel": MKT,
    "moderation.creatorstanding": MOD,
    "moderation.creatordecision": MOD,
    "experiments.experiment": MKT,
}

# Who, besides admins and superusers, is offered each admin action ("app.model.action").
ADMIN_ACTIONS: dict[str, frozenset[str]] = {
    "auth.group.delete_selected": NOBODY,
    "auth.user.delete_selected": NOBODY,
    "axes.accessattempt.cleanup_expired_attempts": NOBODY,
    "axes.accessattempt.delete_selected": NOBODY,
    "axes.accesslog.delete_selected": NOBODY,
    "axes.accessfailurelog.delete_selected": NOBODY,
    "content.brand.delete_selected": NOBODY,
    "content.creator.approve": MOD,
    "content.creator.decline": MOD,
    "content.creator.delete_selected": NOBODY,
    "content.product.delete_selected": NOBODY,
    "content.comment.hide_comments": MOD,
    "content.comment.show_comments": MOD,
    "content.comment.delete_selected": NOBODY,
    "content.contentitem.publish": MOD,
    "content.contentitem.reject": MOD,
    "content.contentitem.remove": MOD,
    "content.contentitem.send_to_review": MOD,
    "content.contentitem.retry_media": MOD,
    "content.tag.merge_into": NOBODY,
    "content.tag.delete_selected": NOBODY,
    "profiles.shopper.export_shopper_data": NOBODY,
    "profiles.shopper.erase_shoppers": NOBODY,
    "profiles.interest.delete_selected": NOBODY,
    "profiles.follow.delete_selected": NOBODY,
    "ranking.mixpolicy.delete_selected": MKT,
    "ranking.rankermodel.activate_model": NOBODY,
    "ranking.rankermodel.rollback_model": NOBODY,
    "ranking.rankermodel.delete_selected": NOBODY,
    "moderation.creatorstanding.block_creators": MOD,
    "moderation.creatorstanding.unblock_creators": MOD,
    "experiments.experiment.start_experiments": MKT,
    "experiments.experiment.stop_experiments": MKT,
}

# Admin pages a model admin adds (``get_urls``) beyond its list, add, change, delete and history
# pages: the URL name, how to build its address, and who besides admins and superusers may open it.
ADMIN_PAGES: dict[str, tuple[Callable[[], str], frozenset[str]]] = {
    "ranking_preview": (lambda: reverse("admin:ranking_preview"), MKT),
    "auth_user_password_change": (
        lambda: reverse("admin:auth_user_password_change", args=[UserFactory().pk]),
        NOBODY,
    ),
}

STANDARD_PAGES = ("_changelist", "_add", "_history", "_delete", "_change")
EVERY_ADMIN = frozenset({Role.ADMINS.value, SUPERUSER})


def _admin_label(model: type[Any]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _actor(role: str) -> User | None:
    """The user of ``role``, made the way the site makes one; ``None`` for anonymous."""
    if role == ANONYMOUS:
        return None
    if role in STAFF:
        user = UserFactory(username=role, is_staff=True, is_superuser=role == SUPERUSER)
        if role != SUPERUSER:
            role_join(user=user, role=Role(role))
        # Any account's first request makes its shopper (``shopper_for_user``): made here, so that
        # the rows a refused call must leave alone are the ones it could change.
        shopper_for_user(user=user)
        return user
    user = account_create(username=role, email=f"{role}@example.com", password="pw-long-enough", visitor_id=None)
    if role == Role.CREATORS.value:
        creator_review(creator=creator_apply(user=user, handle="maker", display_name="Maker"), approve=True)
    if role == Role.MERCHANTS.value:
        BrandFactory(slug="acme").merchants.add(user)
        merchant_role_sync(users=[user])
    return user


@pytest.fixture
def actor(request: pytest.FixtureRequest) -> User | None:
    return _actor(request.param)


def _admin_client(client: Any, user: User | None) -> Any:
    if user is not None:
        client.force_login(user)
    return client


def _refused_page(response: Any, user: User | None) -> bool:
    """The admin's refusal: the sign-in page for anyone not staff, 403 for staff without the permission."""
    if user is None or not user.is_staff:
        return response.status_code == 302 and response["Location"].startswith("/admin/login/")
    return response.status_code == 403


def test_the_admin_tables_cover_every_model_admin_and_action(rf: Any) -> None:
    root = UserFactory(is_staff=True, is_superuser=True)
    request = rf.get("/admin/")
    request.user = root
    registered = {_admin_label(model): model_admin for model, model_admin in admin.site._registry.items()}
    offered = {
        f"{label}.{name}" for label, model_admin in registered.items() for name in model_admin.get_actions(request)
    }
    pages = {
        url.name
        for label, model_admin in registered.items()
        for url in model_admin.get_urls()
        if isinstance(url, URLPattern) and url.name
        if url.name not in {label.replace(".", "_") + page for page in STANDARD_PAGES}
    }

    assert sorted(set(registered) - set(ADMIN_VIEWS)) == [], "add these model admins to ADMIN_VIEWS"
    assert sorted(set(ADMIN_VIEWS) - set(registered)) == [], "these ADMIN_VIEWS rows name no model admin"
    assert sorted(offered - set(ADMIN_ACTIONS)) == [], "add these admin actions to ADMIN_ACTIONS, with who may use them"
    assert sorted(set(ADMIN_ACTIONS) - offered) == [], "these ADMIN_ACTIONS rows name no action"
    assert sorted(pages - set(ADMIN_PAGES)) == [], "add these custom admin pages to ADMIN_PAGES, with who may open them"
    assert sorted(set(ADMIN_PAGES) - pages) == [], "these ADMIN_PAGES rows name no admin page"


@pytest.mark.parametrize("actor", ROLES, indirect=True, ids=ROLES)
@pytest.mark.parametrize("label", sorted(ADMIN_VIEWS))
def test_each_role_sees_the_admin_lists_and_actions_the_tables_give_it(client, actor, label):
    role = _role_of(actor)
    may_view = role in ADMIN_VIEWS[label] | EVERY_ADMIN
    expected_actions = {
        name.rpartition(".")[2]
        for name, roles in ADMIN_ACTIONS.items()
        if name.rpartition(".")[0] == label and role in roles | EVERY_ADMIN
    }
    app_label, model_name = label.split(".")

    response = _admin_client(client, actor).get(reverse(f"admin:{app_label}_{model_name}_changelist"))

    if not may_view:
        assert _refused_page(response, actor)
        return
    assert response.status_code == 200
    form = response.context["action_form"]
    offered = {value for value, _ in form.fields["action"].choices if value} if form is not None else set()
    assert offered == expected_actions


@pytest.mark.parametrize("actor", ROLES, indirect=True, ids=ROLES)
@pytest.mark.parametrize("name", sorted(ADMIN_PAGES))
def test_each_role_opens_the_custom_admin_pages_the_table_gives_it(client, actor, name):
    address, roles = ADMIN_PAGES[name]

    response = _admin_client(client, actor).get(address())

    if _role_of(actor) in roles | EVERY_ADMIN:
        assert response.status_code == 200
    else:
        assert _refused_page(response, actor)


def _role_of(user: User | None) -> str:
    if user is None:
        return ANONYMOUS
    return SUPERUSER if user.is_superuser else user.username


# A refused action changes nothing: a representative write of each admin family, posted by a role
# the tables refuse it to, next to a role they allow it to.
@dataclass(frozen=True)
class Posted:
    label: str
    action: str
    make: Callable[[], Any]
    column: str  # what the action changes: its value is read again after the request (None: row gone)
    extra: dict[str, str] = field(default_factory=dict)

    def state(self, target: Any) -> Any:
        return type(target).objects.filter(pk=target.pk).values_list(self.column, flat=True).first()


def _pending_item() -> ContentItem:
    return ContentItemFactory(status=ContentItem.Status.PENDING, published_at=None)


def _draft_experiment() -> Experiment:
    experiment = ExperimentFactory()
    policy = MixPolicy.objects.create(name="p")
    VariantFactory(experiment=experiment, name="a", policy=policy)
    VariantFactory(experiment=experiment, name="b", policy=policy)
    return experiment


def _signed_up_shopper() -> Shopper:
    user = account_create(username="victim", email="v@example.com", password="pw-long-enough", visitor_id=None)
    return Shopper.objects.get(user=user)


POSTED = {
    "publish": Posted("content.contentitem", "publish", _pending_item, "status"),
    "approve": Posted("content.creator", "approve", lambda: CreatorFactory(status=Creator.Status.APPLIED), "status"),
    "hide_comment": Posted(
        "content.comment",
        "hide_comments",
        lambda: Comment.objects.create(content=ContentItemFactory(), author=UserFactory(), body="hi"),
        "status",
    ),
    "block": Posted(
        "moderation.creatorstanding",
        "block_creators",
        lambda: CreatorStanding.objects.create(creator=CreatorFactory()),
        "blocked",
        {"post": "yes", "reason": "spam"},
    ),
    "start": Posted("experiments.experiment", "start_experiments", _draft_experiment, "status"),
    "activate": Posted(
        "ranking.rankermodel",
        "activate_model",
        lambda: RankerModel.objects.create(version="v1", artifact="rankers/v1.txt"),
        "status",
    ),
    "erase": Posted("profiles.shopper", "erase_shoppers", _signed_up_shopper, "pk", {"post": "yes"}),
}


@pytest.mark.parametrize(
    ("case", "actor"),
    [
        ("publish", "marketers"),
        ("publish", "creators"),
        ("approve", "marketers"),
        ("hide_comment", "marketers"),
        ("block", "marketers"),
        ("start", "moderators"),
        ("activate", "marketers"),
        ("activate", "moderators"),
        ("erase", "moderators"),
        ("erase", "marketers"),
    ],
    indirect=["actor"],
)
def test_a_refused_admin_action_changes_nothing(client, case, actor):
    posted = POSTED[case]
    target = posted.make()
    before = posted.state(target)
    app_label, model_name = posted.label.split(".")

    response = _admin_client(client, actor).post(
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        {"action": posted.action, "_selected_action": [str(target.pk)], **posted.extra},
    )

    if _role_of(actor) in ADMIN_VIEWS[posted.label]:
        # The list is theirs to see: it comes back, the action not run (it is not one of theirs).
        assert response.status_code == 200
        assert [m.level for m in response.context["messages"] if m.level == messages.SUCCESS] == []
    else:
        assert _refused_page(response, actor)
    assert posted.state(target) == before


@pytest.mark.parametrize(
    ("case", "actor", "after"),
    [
        ("publish", "moderators", ContentItem.Status.PUBLISHED),
        ("approve", "moderators", Creator.Status.APPROVED),
        ("hide_comment", "moderators", Comment.Status.HIDDEN),
        ("block", "moderators", True),
        ("start", "marketers", Experiment.Status.RUNNING),
        ("erase", "admins", None),
    ],
    indirect=["actor"],
)
def test_an_allowed_admin_action_does_its_work(client, case, actor, after):
    posted = POSTED[case]
    target = posted.make()
    app_label, model_name = posted.label.split(".")

    response = _admin_client(client, actor).post(
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        {"action": posted.action, "_selected_action": [str(target.pk)], **posted.extra},
    )

    assert response.status_code == 302
    assert posted.state(target) == after


# ---- the API -----------------------------------------------------------------------------------


@dataclass
class World:
    """What the API calls act on: a post by someone else, a product, and the caller's own things."""

    item: ContentItem
    product: Product
    own_item: ContentItem | None


def _expect(*, anonymous: int, signed_in: int, **roles: int) -> dict[str, int]:
    """The status each role gets: ``signed_in`` for every account unless named in ``roles``."""
    return {ANONYMOUS: anonymous, **dict.fromkeys(SIGNED_IN, signed_in), **roles}


EVERYONE_200 = _expect(anonymous=200, signed_in=200)
CREATORS_ONLY_200 = _expect(anonymous=401, signed_in=403, creators=200)
MERCHANTS_ONLY = _expect(anonymous=401, signed_in=403, merchants=200)


@dataclass(frozen=True)
class Call:
    """One API operation: its path arguments and body (query for a GET) from the world, what the
    caller did before (``prepare``, through the API too), and each role's status."""

    statuses: dict[str, int]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    body: Callable[[World], Any] = lambda world: None
    prepare: Callable[[APIClient, World], Any] = lambda client, world: None


def _in_cart(client: APIClient, world: World) -> None:
    assert client.post(reverse("cart-lines"), {"product": world.product.pk}, format="json").status_code == 201


API: dict[tuple[str, str], Call] = {
    ("feed", "GET"): Call(EVERYONE_200),
    ("me-consent", "POST"): Call(EVERYONE_200, body=lambda w: {"personalization": False}),
    ("item-like", "PUT"): Call(EVERYONE_200, kwargs=lambda w: {"item_id": w.item.pk}),
    ("item-like", "DELETE"): Call(EVERYONE_200, kwargs=lambda w: {"item_id": w.item.pk}),
    ("creator-follow", "PUT"): Call(EVERYONE_200, kwargs=lambda w: {"creator_id": w.item.creator_id}),
    ("creator-follow", "DELETE"): Call(EVERYONE_200, kwargs=lambda w: {"creator_id": w.item.creator_id}),
    ("events", "POST"): Call(
        EVERYONE_200,
        body=lambda w: {
            "events": [{"event_id": "e-1", "type": "view", "item": w.item.pk, "ts": "2026-12-07T18:00:00Z"}]
        },
    ),
    ("cart", "GET"): Call(EVERYONE_200),
    ("cart-lines", "POST"): Call(_expect(anonymous=201, signed_in=201), body=lambda w: {"product": w.product.pk}),
    ("cart-line", "PATCH"): Call(
        EVERYONE_200, kwargs=lambda w: {"product_id": w.product.pk}, body=lambda w: {"quantity": 2}, prepare=_in_cart
    ),
    ("cart-line", "DELETE"): Call(EVERYONE_200, kwargs=lambda w: {"product_id": w.product.pk}, prepare=_in_cart),
    # A visitor's own data, too; staff accounts are erased only after their staff access is removed.
    ("me-export", "GET"): Call(EVERYONE_200),
    ("me-erase", "POST"): Call(
        _expect(anonymous=200, signed_in=200, **dict.fromkeys(STAFF, 400)), body=lambda w: {"confirm": "erase"}
    ),
    ("studio-stats", "GET"): Call(CREATORS_ONLY_200),
    ("item-comments", "GET"): Call(EVERYONE_200, kwargs=lambda w: {"item_id": w.item.pk}),
    ("item-comments", "POST"): Call(
        _expect(anonymous=401, signed_in=201), kwargs=lambda w: {"item_id": w.item.pk}, body=lambda w: {"body": "Nice"}
    ),
    ("catalog-products-bulk", "POST"): Call(
        MERCHANTS_ONLY,
        body=lambda w: {"products": [{"sku": "SKU-1", "title": "Tee", "price": "9.90", "currency": "EUR", "stock": 3}]},
    ),
    ("catalog-product", "GET"): Call(MERCHANTS_ONLY, kwargs=lambda w: {"sku": w.product.external_id}),
    ("catalog-product", "PUT"): Call(
        MERCHANTS_ONLY,
        kwargs=lambda w: {"sku": w.product.external_id},
        body=lambda w: {"title": "Tee", "price": "9.90", "currency": "EUR", "stock": 3},
    ),
    ("studio-creator", "GET"): Call(_expect(anonymous=401, signed_in=404, creators=200)),
    ("studio-creator", "POST"): Call(
        _expect(anonymous=401, signed_in=201, creators=400),
        body=lambda w: {"handle": "newcomer", "display_name": "New"},
    ),
    ("studio-items", "GET"): Call(CREATORS_ONLY_200),
    ("studio-items", "POST"): Call(
        _expect(anonymous=401, signed_in=403, creators=400), body=lambda w: {"caption": "x"}
    ),
    ("studio-item", "GET"): Call(CREATORS_ONLY_200, kwargs=lambda w: {"item_id": _own_or_other(w)}),
    ("studio-item", "PATCH"): Call(
        CREATORS_ONLY_200, kwargs=lambda w: {"item_id": _own_or_other(w)}, body=lambda w: {"caption": "Better"}
    ),
    ("studio-item", "DELETE"): Call(
        _expect(anonymous=401, signed_in=403, creators=204), kwargs=lambda w: {"item_id": _own_or_other(w)}
    ),
    ("studio-item-retry", "POST"): Call(
        _expect(anonymous=401, signed_in=403, creators=400), kwargs=lambda w: {"item_id": _own_or_other(w)}
    ),
    ("studio-products", "GET"): Call(CREATORS_ONLY_200, body=lambda w: {"q": "Product"}),
    ("studio-tags", "GET"): Call(CREATORS_ONLY_200, body=lambda w: {"q": "tag"}),
}


def _own_or_other(world: World) -> int:
    """The caller's own post when they have one, else somebody else's (never theirs to touch)."""
    return (world.own_item or world.item).pk


def _api_operations() -> set[tuple[str, str]]:
    """Every (URL name, method) served under /api/v1/."""
    found: set[tuple[str, str]] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("api/v1/") and getattr(pattern.callback, "cls", None) is not None:
                view = pattern.callback.cls
                for method in ("get", "post", "put", "patch", "delete"):
                    if hasattr(view, method):
                        found.add((str(pattern.name), method.upper()))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_api_table_covers_every_operation() -> None:
    served = _api_operations()

    assert sorted(served - set(API)) == [], "add these API operations to API, with each role's status"
    assert sorted(set(API) - served) == [], "these API rows name no operation"


def _world(user: User | None) -> World:
    product = ProductFactory(external_id="SKU-1", brand=Brand.objects.filter(slug="acme").first())
    item = ContentItemFactory(products=[product])
    creator = Creator.objects.filter(user=user).first() if user is not None else None
    own = ContentItemFactory(creator=creator) if creator is not None else None
    return World(item=item, product=product, own_item=own)


def _rows() -> dict[str, Any]:
    """What a refused call must leave as it was: rows of every family the API writes, and the posts."""
    return {
        "likes": Like.objects.count(),
        "follows": Follow.objects.count(),
        "consents": ConsentRecord.objects.count(),
        "cart_lines": CartLine.objects.count(),
        "comments": Comment.objects.count(),
        "creators": sorted(Creator.objects.values_list("handle", "status")),
        "items": sorted(ContentItem.objects.values_list("pk", "status", "caption")),
        "products": sorted(Product.objects.values_list("external_id", "title", "price", "stock")),
        "users": User.objects.count(),
        "shoppers": Shopper.objects.count(),
    }


def _api_client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.mark.parametrize("actor", ROLES, indirect=True, ids=ROLES)
@pytest.mark.parametrize("operation", sorted(API), ids=lambda op: f"{op[1]} {op[0]}")
def test_each_role_gets_the_api_answer_the_table_gives_it(actor, operation):
    name, method = operation
    call = API[operation]
    world = _world(actor)
    expected = call.statuses[_role_of(actor)]
    client = _api_client(actor)
    call.prepare(client, world)
    before = _rows()

    response = getattr(client, method.lower())(
        reverse(name, kwargs=call.kwargs(world)), call.body(world), format="json"
    )

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert _rows() == before


# ---- the custom permissions: each is what opens its action, beyond the model's own ---------------


def _staff_with(*names: str) -> User:
    user = UserFactory(is_staff=True)
    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)  # a fresh instance: permissions are cached per instance


@pytest.mark.parametrize(
    ("permission", "label", "action"),
    [
        ("content.review_creator", "content.creator", "approve"),
        ("content.review_creator", "content.creator", "decline"),
        ("ranking.activate_model", "ranking.rankermodel", "activate_model"),
        ("ranking.activate_model", "ranking.rankermodel", "rollback_model"),
        ("experiments.start_experiment", "experiments.experiment", "start_experiments"),
        ("experiments.start_experiment", "experiments.experiment", "stop_experiments"),
        ("profiles.export_shopper_data", "profiles.shopper", "export_shopper_data"),
        ("profiles.delete_shopper", "profiles.shopper", "erase_shoppers"),
    ],
)
@pytest.mark.parametrize("granted", [False, True])
def test_an_action_is_offered_only_with_its_own_permission(client, permission, label, action, granted):
    app_label, model_name = label.split(".")
    model_permissions = [
        f"{app_label}.{verb}_{model_name}"
        for verb in ("view", "add", "change", "delete")
        if f"{app_label}.{verb}_{model_name}" != permission
    ]
    client.force_login(_staff_with(*model_permissions, *([permission] if granted else [])))

    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))

    assert response.status_code == 200
    form = response.context["action_form"]
    offered = {value for value, _ in form.fields["action"].choices if value} if form is not None else set()
    assert (action in offered) is granted


@pytest.mark.parametrize(
    ("permissions", "status"), [(["ranking.view_rankermodel"], 403), (["ranking.preview_feed"], 200)]
)
def test_the_feed_preview_needs_its_own_permission(client, permissions, status):
    client.force_login(_staff_with(*permissions))

    response = client.get(reverse("admin:ranking_preview"))

    assert response.status_code == status
    if status == 200:
        assert response.context["title"] == "Preview the feed as a shopper"


@pytest.mark.parametrize(
    ("permissions", "linked"),
    [(["ranking.view_rankermodel"], False), (["ranking.view_rankermodel", "ranking.preview_feed"], True)],
)
def test_the_model_list_links_the_preview_only_for_those_who_may_open_it(client, permissions, linked):
    client.force_login(_staff_with(*permissions))

    response = client.get(reverse("admin:ranking_rankermodel_changelist"))

    assert (reverse("admin:ranking_preview") in response.content.decode()) is linked
