"""The permission matrix of the API: the exact status each role gets from each operation under
``/api/v1/`` (401 anonymous, 403 signed in without the role, 404 where the design hides a thing,
a 400 where a service refuses the caller), and a refused call changes nothing.

``API`` is the expectation. Every operation served under /api/v1/ must appear in it: a new one
fails ``test_the_api_table_covers_every_operation`` until its row gives each role's status. The
users are made by ``tests.moderation.actors``, calling with their API token as other clients do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from content.models import Brand, Comment, ContentItem, Creator, Product
from moderation.models import Appeal, Report
from profiles.models import ConsentRecord, Follow, Like, Shopper
from profiles.shop.models import CartLine
from tests.factories import ContentItemFactory, ProductFactory, UserFactory
from tests.moderation.actors import ANONYMOUS, MERCHANT_BRAND, ROLES, SIGNED_IN, STAFF, actor_make, role_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(request: pytest.FixtureRequest) -> User | None:
    """The user of the role given by ``parametrize(..., indirect=["actor"])``."""
    return actor_make(request.param)


@dataclass
class World:
    """What the API calls act on: a post by someone else, a product, and the caller's own things."""

    item: ContentItem
    comment: Comment
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
    ("creator-api", "GET"): Call(EVERYONE_200, kwargs=lambda w: {"handle": w.item.creator.handle}),
    ("search", "GET"): Call(EVERYONE_200, body=lambda w: {"q": "serum"}),
    # The world's product is in stock: nobody may ask to hear when it is back (visitors must sign in).
    ("stock-alert", "POST"): Call(_expect(anonymous=403, signed_in=400), kwargs=lambda w: {"product_id": w.product.pk}),
    ("stock-alert", "DELETE"): Call(EVERYONE_200, kwargs=lambda w: {"product_id": w.product.pk}),
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
    ("item-report", "POST"): Call(
        _expect(anonymous=201, signed_in=201),
        kwargs=lambda w: {"item_id": w.item.pk},
        body=lambda w: {"reason": "spam"},
    ),
    ("comment-report", "POST"): Call(
        _expect(anonymous=201, signed_in=201),
        kwargs=lambda w: {"comment_id": w.comment.pk},
        body=lambda w: {"reason": "offensive"},
    ),
    # A published post has no decision to appeal: the creator reaches the service, which refuses.
    ("studio-item-appeal", "POST"): Call(
        _expect(anonymous=401, signed_in=403, creators=400),
        kwargs=lambda w: {"item_id": _own_or_other(w)},
        body=lambda w: {"note": "Please look again"},
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
    product = ProductFactory(external_id="SKU-1", brand=Brand.objects.filter(slug=MERCHANT_BRAND).first())
    item = ContentItemFactory(products=[product])
    creator = Creator.objects.filter(user=user).first() if user is not None else None
    own = ContentItemFactory(creator=creator) if creator is not None else None
    comment = Comment.objects.create(content=item, author=UserFactory(), body="First!")
    return World(item=item, comment=comment, product=product, own_item=own)


def _rows() -> dict[str, Any]:
    """What a refused call must leave as it was: rows of every family the API writes, and the posts."""
    return {
        "likes": Like.objects.count(),
        "follows": Follow.objects.count(),
        "consents": ConsentRecord.objects.count(),
        "cart_lines": CartLine.objects.count(),
        "comments": Comment.objects.count(),
        "reports": Report.objects.count(),
        "appeals": Appeal.objects.count(),
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
    expected = call.statuses[role_of(actor)]
    client = _api_client(actor)
    call.prepare(client, world)
    before = _rows()

    response = getattr(client, method.lower())(
        reverse(name, kwargs=call.kwargs(world)), call.body(world), format="json"
    )

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert _rows() == before
