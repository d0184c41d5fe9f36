"""Likes, sign-up, and what sign-in carries over from the visitor (``profiles.services``)."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from content.models import ContentItem
from feedsite.errors import ApplicationError
from profiles import services
from profiles.models import Like, Shopper
from profiles.shop.models import CartLine, Order
from tests.factories import (
    CartLineFactory,
    ContentItemFactory,
    LikeFactory,
    OrderFactory,
    ProductFactory,
    ShopperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_liking_twice_keeps_one_like_and_unliking_removes_it():
    shopper, item = ShopperFactory(), ContentItemFactory()

    first = services.like_create(shopper=shopper, content=item)
    again = services.like_create(shopper=shopper, content=item)

    assert first.pk == again.pk
    assert services.like_delete(shopper=shopper, content=item) is True
    assert services.like_delete(shopper=shopper, content=item) is False
    assert Like.objects.count() == 0


@pytest.mark.parametrize("status", [ContentItem.Status.PENDING, ContentItem.Status.REMOVED])
def test_a_post_nobody_can_see_cannot_be_liked(status):
    shopper, item = ShopperFactory(), ContentItemFactory(status=status, published_at=None)

    with pytest.raises(ApplicationError) as refused:
        services.like_create(shopper=shopper, content=item)

    assert refused.value.code == "not_available"
    assert Like.objects.count() == 0


def test_sign_in_carries_likes_cart_orders_and_onboarding_over():
    visitor = services.shopper_for_visitor(visitor_id=uuid.uuid4())
    visitor.onboarded_at = timezone.now() - timedelta(days=1)
    visitor.save()
    user = UserFactory()
    target = services.shopper_for_user(user=user)
    both, only_visitor = ContentItemFactory(), ContentItemFactory()
    LikeFactory(shopper=target, content=both)
    LikeFactory(shopper=visitor, content=both)
    LikeFactory(shopper=visitor, content=only_visitor)
    product = ProductFactory()
    CartLineFactory(cart__shopper=visitor, product=product, quantity=2)
    order = OrderFactory(shopper=visitor)

    services.shopper_merge_visitor(visitor_id=visitor.visitor_id, user=user)

    target.refresh_from_db()
    assert sorted(Like.objects.filter(shopper=target).values_list("content_id", flat=True)) == sorted(
        [both.pk, only_visitor.pk]
    )
    assert Like.objects.count() == 2
    assert list(CartLine.objects.filter(cart__shopper=target).values_list("product_id", "quantity")) == [
        (product.pk, 2)
    ]
    assert list(Order.objects.filter(shopper=target)) == [order]
    assert target.onboarded_at == visitor.onboarded_at


def test_an_onboarded_account_keeps_its_own_onboarding_time():
    earlier = timezone.now() - timedelta(days=30)
    user = UserFactory()
    target = services.shopper_for_user(user=user)
    target.onboarded_at = earlier
    target.save()
    visitor = ShopperFactory(user=None, onboarded_at=timezone.now())

    services.shopper_merge_visitor(visitor_id=visitor.visitor_id, user=user)

    target.refresh_from_db()
    assert target.onboarded_at == earlier


def test_sign_up_makes_the_account_and_takes_the_visitors_history():
    visitor = services.shopper_for_visitor(visitor_id=uuid.uuid4())
    LikeFactory(shopper=visitor)

    user = services.account_create(
        username="nova", email="", password="s3cret-passphrase", visitor_id=visitor.visitor_id
    )

    shopper = Shopper.objects.get(user=user)
    assert User.objects.get(username="nova").check_password("s3cret-passphrase")
    assert Like.objects.get().shopper == shopper
    assert Shopper.objects.get(pk=visitor.pk).merged_into == shopper
