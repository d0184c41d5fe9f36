"""factory_boy factories for the domain; tests build data through these, never by hand."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from content.models import Brand, Comment, ContentItem, ContentProduct, Creator, Product, Tag
from experiments.models import Experiment, Layer, Variant
from moderation.models import Appeal, Case, CreatorStanding, Report, Rule, Screening, ShopperTrust
from profiles.events.models import Interaction
from profiles.models import ConsentRecord, Follow, Interest, Like, Shopper
from profiles.shop.models import Cart, CartLine, Order, OrderLine, StockAlert
from ranking.models import FeedRequest, MixPolicy


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")


class BrandFactory(factory.django.DjangoModelFactory[Brand]):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class CreatorFactory(factory.django.DjangoModelFactory[Creator]):
    class Meta:
        model = Creator

    user = factory.SubFactory(UserFactory)
    handle = factory.Sequence(lambda n: f"creator{n}")
    display_name = factory.Sequence(lambda n: f"Creator {n}")


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag

    slug = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.Sequence(lambda n: f"Tag {n}")


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    external_id = factory.Sequence(lambda n: f"sku-{n}")
    title = factory.Sequence(lambda n: f"Product {n}")
    price = Decimal("19.90")
    stock = 10


class ContentItemFactory(factory.django.DjangoModelFactory[ContentItem]):
    """A published image by a creator, unless told otherwise."""

    class Meta:
        model = ContentItem
        skip_postgeneration_save = True

    kind = ContentItem.Kind.IMAGE
    creator = factory.SubFactory(CreatorFactory)
    caption = factory.Sequence(lambda n: f"Look number {n}")
    status = ContentItem.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def products(self, create: bool, extracted: list[Product] | None, **kwargs: object) -> None:
        for position, product in enumerate(extracted or []):
            ContentProduct.objects.create(content=self, product=product, position=position)

    @factory.post_generation
    def tags(self, create: bool, extracted: list[Tag] | None, **kwargs: object) -> None:
        if extracted:
            self.tags.set(extracted)


class ShopperFactory(factory.django.DjangoModelFactory[Shopper]):
    class Meta:
        model = Shopper

    user = factory.SubFactory(UserFactory)


class FollowFactory(factory.django.DjangoModelFactory[Follow]):
    class Meta:
        model = Follow

    shopper = factory.SubFactory(ShopperFactory)
    creator = factory.SubFactory(CreatorFactory)


class InteractionFactory(factory.django.DjangoModelFactory[Interaction]):
    class Meta:
        model = Interaction

    event_id = factory.Sequence(lambda n: f"evt-{n}")
    shopper = factory.SubFactory(ShopperFactory)
    content = factory.SubFactory(ContentItemFactory)
    type = "view"
    occurred_at = factory.LazyFunction(timezone.now)


class ConsentRecordFactory(factory.django.DjangoModelFactory[ConsentRecord]):
    class Meta:
        model = ConsentRecord

    shopper = factory.SubFactory(ShopperFactory)
    personalization = True


class InterestFactory(factory.django.DjangoModelFactory[Interest]):
    class Meta:
        model = Interest

    shopper = factory.SubFactory(ShopperFactory)
    tag = factory.SubFactory(TagFactory)


class FeedRequestFactory(factory.django.DjangoModelFactory[FeedRequest]):
    """A first page of three cards served to a signed-in shopper."""

    class Meta:
        model = FeedRequest

    shopper = factory.SubFactory(ShopperFactory)
    feed_session = factory.LazyFunction(uuid.uuid4)
    items = factory.LazyFunction(lambda: [1, 2, 3])
    reasons = factory.LazyFunction(lambda: ["popular", "popular", "fresh"])


class LikeFactory(factory.django.DjangoModelFactory[Like]):
    class Meta:
        model = Like

    shopper = factory.SubFactory(ShopperFactory)
    content = factory.SubFactory(ContentItemFactory)


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    content = factory.SubFactory(ContentItemFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Nice look {n}")


class CartFactory(factory.django.DjangoModelFactory[Cart]):
    class Meta:
        model = Cart
        django_get_or_create = ("shopper",)

    shopper = factory.SubFactory(ShopperFactory)


class CartLineFactory(factory.django.DjangoModelFactory[CartLine]):
    """One of a product (in stock, 19.90) in a shopper's cart, added from a card showing it."""

    class Meta:
        model = CartLine

    cart = factory.SubFactory(CartFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    content = factory.LazyAttribute(lambda line: ContentItemFactory(products=[line.product]))


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"FS-T{n:07d}")
    shopper = factory.SubFactory(ShopperFactory)
    currency = "EUR"
    total = Decimal("19.90")
    shipping_name = "Ada Lovelace"
    shipping_address = "1 Analytical Way"
    payment_reference = "SIMULATED-TEST"


class OrderLineFactory(factory.django.DjangoModelFactory[OrderLine]):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    title = factory.LazyAttribute(lambda line: line.product.title)
    unit_price = Decimal("19.90")
    quantity = 1


class MixPolicyFactory(factory.django.DjangoModelFactory[MixPolicy]):
    class Meta:
        model = MixPolicy

    name = factory.Sequence(lambda n: f"policy-{n}")


class LayerFactory(factory.django.DjangoModelFactory[Layer]):
    """The layer "main" (created by the experiments migrations) unless another name is given."""

    class Meta:
        model = Layer
        django_get_or_create = ("name",)

    name = "main"


class ExperimentFactory(factory.django.DjangoModelFactory[Experiment]):
    """A draft experiment in the layer "main"; ``experiments.services.experiment_start`` runs it
    (a row made with ``status="running"`` owns no buckets, so it serves nobody)."""

    class Meta:
        model = Experiment

    name = factory.Sequence(lambda n: f"exp-{n}")
    salt = factory.Sequence(lambda n: f"salt-{n}")
    layer = factory.SubFactory(LayerFactory)


class VariantFactory(factory.django.DjangoModelFactory[Variant]):
    class Meta:
        model = Variant

    experiment = factory.SubFactory(ExperimentFactory)
    name = factory.Sequence(lambda n: f"v{n}")
    weight = 1


class CreatorStandingFactory(factory.django.DjangoModelFactory[CreatorStanding]):
    """A creator's standing, neutral and not blocked unless told otherwise (``reputation=0.1``, ``blocked=True``)."""

    class Meta:
        model = CreatorStanding

    creator = factory.SubFactory(CreatorFactory)


class ShopperTrustFactory(factory.django.DjangoModelFactory[ShopperTrust]):
    """A shopper's trust row: pass ``trust=0.2`` for a shopper who looks automated."""

    class Meta:
        model = ShopperTrust

    shopper = factory.SubFactory(ShopperFactory)
    trust = 1.0
    computed = factory.LazyAttribute(lambda row: row.trust)


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """An open case held by an automatic check on a pending item, unclaimed (pass ``comment=`` or
    ``creator=`` with ``item=None`` for another target)."""

    class Meta:
        model = Case

    item = factory.SubFactory(ContentItemFactory, status=ContentItem.Status.PENDING, published_at=None)
    why = Case.Why.HELD
    risk = 0.5
    reports = 0
    priority = factory.LazyAttribute(lambda case: case.risk + 0.4 * case.reports)
    opened_at = factory.LazyFunction(timezone.now)


class ReportFactory(factory.django.DjangoModelFactory[Report]):
    """An open spam report of a published item by a fully trusted shopper (no case: use
    ``moderation.reports.services.report_create`` when the case and auto-hide matter)."""

    class Meta:
        model = Report

    item = factory.SubFactory(ContentItemFactory)
    reporter = factory.SubFactory(ShopperFactory)
    reason = Report.Reason.SPAM
    at = factory.LazyFunction(timezone.now)


class AppealFactory(factory.django.DjangoModelFactory[Appeal]):
    """An open appeal against a moderator's rejection (pass ``contested_by``)."""

    class Meta:
        model = Appeal

    item = factory.SubFactory(ContentItemFactory, status=ContentItem.Status.REJECTED, published_at=None)
    message = "It is my own photo of the product."
    contested_status = ContentItem.Status.REJECTED
    at = factory.LazyFunction(timezone.now)


class ScreeningFactory(factory.django.DjangoModelFactory[Screening]):
    """A hold of an item by one rule."""

    class Meta:
        model = Screening

    subject = Screening.Subject.ITEM
    item = factory.SubFactory(ContentItemFactory, status=ContentItem.Status.PENDING, published_at=None)
    outcome = "hold"
    risk = 0.7
    checks = factory.LazyFunction(
        lambda: [{"check": "Banned terms", "score": 0.7, "reason": "says “replica”", "outcome": "hold"}]
    )


# ---- moderation.checks ----------------------------------------------------------------------------


class RuleFactory(factory.django.DjangoModelFactory[Rule]):
    """A banned-terms rule that holds captions, comments and profiles; pass ``kind`` and the rest."""

    class Meta:
        model = Rule

    name = factory.Sequence(lambda n: f"rule {n}")
    kind = Rule.Kind.TERMS
    parameter = "forbidden"
    action = "hold"
    score = 0.5


class VeteranFactory(UserFactory):
    """An account old enough that the "New accounts" rule does not hold its posts."""

    date_joined = factory.LazyFunction(lambda: timezone.now() - timedelta(days=365))


class VeteranCreatorFactory(CreatorFactory):
    user = factory.SubFactory(VeteranFactory)


# ---- profiles.shop: back-in-stock alerts ------------------------------------------------------------


class StockAlertFactory(factory.django.DjangoModelFactory[StockAlert]):
    """A signed-in shopper waiting for a sold-out product."""

    class Meta:
        model = StockAlert

    shopper = factory.SubFactory(ShopperFactory)
    product = factory.SubFactory(ProductFactory, stock=0)
