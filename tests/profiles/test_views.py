"""The shopper's HTML pages: accounts, onboarding, cart, checkout, orders, privacy."""

import pytest
from django.test import Client

from content.models import Tag
from profiles import services
from profiles.middleware import visitor_id_sign
from profiles.models import ConsentRecord, Interest, Like, Shopper
from profiles.shop.models import CartLine, Order
from tests.factories import (
    CartLineFactory,
    ContentItemFactory,
    OrderFactory,
    ProductFactory,
    ShopperFactory,
    TagFactory,
    UserFactory,
)
from tests.profiles.conftest import visitor_of

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def visitor():
    """A browser that has been here before: a visitor shopper with a like and a cart line."""
    client = Client()
    client.get("/cart")
    shopper = visitor_of(client)
    Like.objects.create(shopper=shopper, content=ContentItemFactory())
    CartLineFactory(cart__shopper=shopper)
    return client, shopper


@pytest.mark.parametrize("next_path", ["/checkout", "/c/12"])
def test_sign_in_goes_where_asked_and_brings_the_visitors_things(visitor, next_path):
    client, shopper = visitor
    user = UserFactory()

    response = client.post("/signin", {"username": user.username, "password": PASSWORD, "next": next_path})

    account = Shopper.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == next_path
    assert Like.objects.get().shopper == account
    assert CartLine.objects.get().cart.shopper == account
    assert Shopper.objects.get(pk=shopper.pk).merged_into == account


def test_a_wrong_password_signs_nobody_in_and_moves_nothing(visitor):
    client, shopper = visitor
    user = UserFactory()

    response = client.post("/signin", {"username": user.username, "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert Like.objects.get().shopper == shopper
    assert not Shopper.objects.filter(user=user).exists()


def test_sign_up_creates_the_account_and_sends_a_new_shopper_to_onboarding(visitor):
    client, visitor_shopper = visitor

    response = client.post(
        "/signup", {"username": "nova", "email": "", "password1": "Plum-orchard-77", "password2": "Plum-orchard-77"}
    )

    account = Shopper.objects.get(user__username="nova")
    assert response.status_code == 302
    assert response["Location"] == "/welcome?next=/"
    assert Like.objects.get().shopper == account
    assert Shopper.objects.get(pk=visitor_shopper.pk).merged_into == account
    assert client.get("/welcome").context["user"].username == "nova"


def test_sign_up_refuses_a_taken_name_and_creates_nothing():
    UserFactory(username="nova")

    response = Client().post(
        "/signup", {"username": "Nova", "password1": "Plum-orchard-77", "password2": "Plum-orchard-77"}
    )

    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert Shopper.objects.filter(user__isnull=False).count() == 0


def test_sign_out_is_a_post():
    client = Client()
    client.force_login(UserFactory())

    response = client.post("/signout")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_the_feed_sends_a_first_visit_to_onboarding():
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == "/welcome?next=/"


def test_onboarding_offers_top_categories_and_used_topics():
    beauty = TagFactory(slug="cat-beauty", name="Beauty", kind=Tag.Kind.CATEGORY)
    TagFactory(slug="cat-beauty-skin", name="Skin", kind=Tag.Kind.CATEGORY, parent=beauty)
    used, unused = TagFactory(name="GRWM", kind=Tag.Kind.TOPIC), TagFactory(name="Unused", kind=Tag.Kind.TOPIC)
    ContentItemFactory(tags=[used])

    response = Client().get("/welcome")

    assert [tag.name for tag in response.context["categories"]] == ["Beauty"]
    assert [tag.name for tag in response.context["topics"]] == ["GRWM"]
    assert unused.name not in response.content.decode()


@pytest.mark.parametrize(("skip", "expected"), [(False, ["cat-beauty"]), (True, [])])
def test_onboarding_stores_the_picks_or_none_and_goes_on(skip, expected):
    beauty = TagFactory(slug="cat-beauty", name="Beauty", kind=Tag.Kind.CATEGORY)
    client = Client()

    data = {"tags": [beauty.pk], "next": "/"} | ({"skip": "1"} if skip else {})
    response = client.post("/welcome", data)

    shopper = Shopper.objects.get()
    assert response["Location"] == "/"
    assert list(Interest.objects.filter(shopper=shopper).values_list("tag__slug", flat=True)) == expected
    assert shopper.onboarded_at is not None
    assert client.get("/").status_code == 200


def test_onboarding_ignores_an_offsite_next():
    response = Client().post("/welcome", {"skip": "1", "next": "https://evil.example/"})

    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("form", "expected", "message"),
    [
        ({"action": "set", "quantity": 3}, [3], "Updated"),
        ({"action": "remove"}, [], "Removed"),
        ({"action": "add"}, [2], "Added"),
        ({"action": "set", "quantity": 9}, [1], "Only 5 of"),
    ],
)
def test_the_cart_page_forms_change_the_cart(form, expected, message):
    client = Client()
    client.get("/cart")
    shopper = visitor_of(client)
    line = CartLineFactory(cart__shopper=shopper, product=ProductFactory(stock=5))

    response = client.post("/cart", {"product": line.product_id, **form}, follow=True)

    assert list(CartLine.objects.values_list("quantity", flat=True)) == expected
    (shown,) = [str(m) for m in response.context["messages"]]
    assert shown.startswith(message)


def test_checkout_asks_to_sign_in_first():
    response = Client().get("/checkout")

    assert response.status_code == 302
    assert response["Location"] == "/signin?next=/checkout"


def test_checkout_places_the_order_and_shows_it():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    shopper = Shopper.objects.create(user=user)
    CartLineFactory(cart__shopper=shopper, quantity=2)

    response = client.post("/checkout", {"shipping_name": "Ada", "shipping_address": "1 Way"}, follow=True)

    order = Order.objects.get()
    assert response.redirect_chain == [(f"/orders/{order.number}", 302)]
    assert "Payment simulated" in response.content.decode()
    assert order.total == 2 * order.lines.get().unit_price


def test_checkout_refuses_a_sold_out_cart_with_the_reason_and_changes_nothing():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    shopper = Shopper.objects.create(user=user)
    line = CartLineFactory(cart__shopper=shopper, product=ProductFactory(title="Clay mask", stock=0))

    response = client.post("/checkout", {"shipping_name": "Ada", "shipping_address": "1 Way"})

    assert response.status_code == 409
    assert "Not enough stock for Clay mask." in response.content.decode()
    assert Order.objects.count() == 0
    assert list(CartLine.objects.values_list("pk", flat=True)) == [line.pk]


def test_checkout_with_an_empty_cart_goes_back_to_the_cart():
    client = Client()
    client.force_login(UserFactory())

    response = client.get("/checkout")

    assert response["Location"] == "/cart"


def test_an_order_page_is_only_for_its_shopper():
    order = OrderFactory()
    stranger = Client()
    stranger.force_login(UserFactory())
    owner = Client()
    owner.force_login(order.shopper.user)

    assert stranger.get(f"/orders/{order.number}").status_code == 404
    assert owner.get(f"/orders/{order.number}").status_code == 200


@pytest.mark.parametrize(("choice", "expected"), [("off", False), ("on", True)])
def test_the_privacy_page_changes_the_choice(choice, expected):
    client = Client()
    page = client.get("/privacy")

    response = client.post("/privacy", {"personalization": choice}, follow=True)

    shopper = Shopper.objects.get()
    assert "On by default" in page.content.decode()
    assert shopper.personalization is expected
    assert list(ConsentRecord.objects.values_list("source", flat=True)) == ["privacy_page"]
    assert response.context["shopper_page"]["consent"] == ("granted" if expected else "refused")


def test_pages_tell_the_script_the_consent_and_the_cart():
    shopper = ShopperFactory(user=None)
    services.consent_set(shopper=shopper, personalization=False)
    CartLineFactory(cart__shopper=shopper, quantity=2)
    client = Client()
    client.cookies["fs_vid"] = visitor_id_sign(shopper.visitor_id)

    response = client.get("/cart")

    assert response.context["shopper_page"]["data"] == {
        "consent": "refused",
        "signedIn": False,
        "username": "",
        "cartCount": 2,
        "tracker": {"impressionMs": 1000, "flushMs": 4000, "batchSize": 20},
    }


# ---- sign-in lockout (django-axes) and the sign-in and sign-up limits -----------------------------


def _later(monkeypatch, minutes: float) -> None:
    """Axes' clock, ``minutes`` from now."""
    import axes.attempts
    import axes.handlers.proxy
    from django.utils import timezone

    moment = timezone.now() + timezone.timedelta(minutes=minutes)
    for module in (axes.attempts, axes.handlers.proxy, timezone):
        monkeypatch.setattr(module, "now", lambda: moment)


@pytest.mark.parametrize(
    ("path", "make_user"),
    [
        ("/signin", lambda: UserFactory()),
        ("/admin/login/", lambda: UserFactory(is_staff=True, is_superuser=True)),
    ],
    ids=["site", "admin"],
)
def test_wrong_passwords_lock_the_username_out_for_the_cool_off_even_with_the_right_one(
    settings, monkeypatch, path, make_user
):
    settings.AXES_FAILURE_LIMIT = 5
    user = make_user()
    client = Client()
    for _ in range(5):
        client.post(path, {"username": user.username, "password": "guess"})

    locked = client.post(path, {"username": user.username, "password": PASSWORD})

    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "Sign-in paused" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not concerned.
    other = UserFactory()
    assert Client().post("/signin", {"username": other.username, "password": PASSWORD}).status_code == 302

    _later(monkeypatch, minutes=settings.AXES_COOLOFF_TIME.total_seconds() / 60 + 1)
    response = client.post(path, {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_fewer_wrong_passwords_than_the_limit_then_the_right_one_signs_in(settings):
    settings.AXES_FAILURE_LIMIT = 5
    user = UserFactory()
    client = Client()
    for _ in range(4):
        client.post("/signin", {"username": user.username, "password": "guess"})

    response = client.post("/signin", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def _rates(settings, **rates: str | None) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def _sign_up(client: Client, username: str):
    return client.post("/signup", {"username": username, "email": "", "password1": PASSWORD, "password2": PASSWORD})


def test_sign_ups_past_the_address_rate_get_the_slow_down_page_and_no_account(settings):
    from django.contrib.auth.models import User

    _rates(settings, signup=None, signup_address="2/hour")
    made = [_sign_up(Client(), f"ada{n}") for n in range(2)]  # new browsers: only the address is common

    refused = _sign_up(Client(), "ada2")

    assert [response.status_code for response in made] == [302, 302]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Slow down" in refused.content.decode()
    assert sorted(User.objects.values_list("username", flat=True)) == ["ada0", "ada1"]


def test_sign_ins_past_the_address_rate_are_refused_before_the_password_is_checked(settings):
    _rates(settings, signin=None, signin_address="3/hour")
    users = [UserFactory() for _ in range(4)]
    for user in users[:3]:
        Client().post("/signin", {"username": user.username, "password": "guess"})

    client = Client()
    refused = client.post("/signin", {"username": users[3].username, "password": PASSWORD})

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
