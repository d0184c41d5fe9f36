"""Creators, brands, products, tags and the content items the feed is made of."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from feedsite.storage import private_storage


class Brand(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    # Accounts that may sync this brand's catalog (set up by staff).
    merchants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="merchant_brands", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Creator(models.Model):
    class Kind(models.TextChoices):
        SHOPPER = "shopper", "Shopper-creator"
        BRAND = "brand", "Brand"
        EDITORIAL = "editorial", "Editorial"

    class Status(models.TextChoices):
        # Applied through the studio and waiting for staff (CREATOR_APPROVAL=staff).
        APPLIED = "applied", "Applied"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    # Brand and editorial accounts may exist before anybody signs in as them.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="creator"
    )
    handle = models.SlugField(max_length=50, unique=True)
    display_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SHOPPER)
    # PROTECT: a brand account without its brand would break ``creator_brand_account_has_brand``.
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="creators")
    verified = models.BooleanField(default=False)
    bio = models.TextField(blank=True, max_length=500)
    avatar = models.FileField(upload_to="avatars/%Y/%m/", blank=True)
    # Accounts set up by staff or the importer are approved; studio applications start per CREATOR_APPROVAL.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPROVED)
    status_note = models.CharField(max_length=300, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["handle"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="brand") | Q(brand__isnull=False), name="creator_brand_account_has_brand"
            ),
        ]
        permissions = [("review_creator", "Can approve and decline creator applications")]

    def __str__(self) -> str:
        return f"@{self.handle}"


class Tag(models.Model):
    class Kind(models.TextChoices):
        CATEGORY = "category", "Category"
        STYLE = "style", "Style"
        INGREDIENT = "ingredient", "Ingredient"
        TOPIC = "topic", "Topic"
        # A brand's own tag (``content.tagging.tag_brand_ensure``): items showing its products carry it.
        BRAND = "brand", "Brand"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TOPIC)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    class Meta:
        ordering = ["slug"]
        indexes = [models.Index(fields=["kind", "slug"])]

    def __str__(self) -> str:
        return self.name


class TagSynonym(models.Model):
    """Another spelling of a tag: a hashtag or caption word with this slug means ``tag``."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="synonyms")
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug} → {self.tag.slug}"


class Product(models.Model):
    external_id = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    # Slash-free path as the merchant gives it, e.g. "Beauty > Skin > Serum".
    category_path = models.CharField(max_length=300, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    stock = models.IntegerField(default=0)
    active = models.BooleanField(default=True)
    # A promotion: the struck-through "was" price, a short label ("-20 %", "Winter sale") and when it ends.
    compare_at_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    promotion_label = models.CharField(max_length=40, blank=True)
    promotion_ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="product_price_not_negative"
            ),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gt=F("price")),
                name="product_compare_at_above_price",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def in_stock(self) -> bool:
        return self.active and self.stock > 0

    @property
    def promotion_on(self) -> bool:
        """A struck-through price is shown: one is set and its promotion has not ended."""
        return self.compare_at_price is not None and (
            self.promotion_ends_at is None or self.promotion_ends_at > timezone.now()
        )


class ContentItem(models.Model):
    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        IMAGE = "image", "Image"
        PRODUCT_CARD = "product_card", "Product card"
        BRAND_POST = "brand_post", "Brand post"

    class Source(models.TextChoices):
        USER = "ugc", "User-generated"
        BRAND = "brand", "Brand"
        EDITORIAL = "editorial", "Editorial"
        PROMOTED = "promoted", "Promoted"

    class Status(models.TextChoices):
        # The media pipeline (content.tasks.media_process) is working on the uploaded originals.
        PROCESSING = "processing", "Processing"
        # The pipeline failed; ``status_reason`` says why and the originals are kept for a retry.
        FAILED = "failed", "Failed"
        DRAFT = "draft", "Draft"
        PENDING = "pending_review", "Pending review"
        # Approved, waiting for ``publish_at`` (content.tasks.publish_due).
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        # Taken out of the feed until a moderator looks (enough reports from trusted shoppers, or a
        # moderator's hold); ``status_reason`` says why.
        HIDDEN = "hidden", "Hidden pending review"
        REJECTED = "rejected", "Rejected"
        REMOVED = "removed", "Removed"

    class Intent(models.TextChoices):
        # What the creator asked for once the media is ready: keep a draft, or go to review and publish.
        DRAFT = "draft", "Save as draft"
        PUBLISH = "publish", "Publish"

    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    # The studio client's idempotency key of the upload that made the item (a retried upload finds it).
    upload_key = models.CharField(max_length=64, null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.USER)
    creator = models.ForeignKey(Creator, null=True, blank=True, on_delete=models.CASCADE, related_name="items")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    caption = models.TextField(blank=True, max_length=2200)
    media = models.FileField(upload_to="media/%Y/%m/", blank=True)
    poster = models.FileField(upload_to="posters/%Y/%m/", blank=True)
    media_width = models.PositiveIntegerField(null=True, blank=True)
    media_height = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    products: models.ManyToManyField[Product, ContentProduct] = models.ManyToManyField(
        Product, through="ContentProduct", related_name="content_items", blank=True
    )
    tags = models.ManyToManyField(Tag, related_name="content_items", blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Why the item failed processing or was rejected, in words the creator understands.
    status_reason = models.CharField(max_length=300, blank=True)
    intent = models.CharField(max_length=16, choices=Intent.choices, default=Intent.PUBLISH)
    # Not published before this time (a scheduled post); null publishes once approved.
    publish_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # When the creator appealed a moderator's rejection or removal (once per item; the appeal
    # itself is moderation's).
    appealed_at = models.DateTimeField(null=True, blank=True)
    # Interactions recorded so far; refreshed in bulk (content.services.content_engagement_refresh).
    engagement = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="content_published_idx"),
            models.Index(fields=["status", "-engagement"], name="content_popular_idx"),
            models.Index(fields=["creator", "status", "-published_at"], name="content_creator_idx"),
            models.Index(fields=["status", "publish_at"], name="content_scheduled_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="content_published_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["video", "image"]) | Q(creator__isnull=False), name="content_media_has_creator"
            ),
            models.UniqueConstraint(fields=["creator", "upload_key"], name="content_upload_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ContentMedia(models.Model):
    """One uploaded file of an item (a video, or an image of a carousel) and what the pipeline made of it.

    The ``original`` stays private (no URL) until the item is removed; shoppers only ever get the
    processed ``file``, its ``poster`` and ``variants``. The item's own ``media`` / ``poster`` point
    at position 0's processed files, so cards read one row.
    """

    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        IMAGE = "image", "Image"

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="media_files")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    original = models.FileField(upload_to="originals/%Y/%m/", storage=private_storage, blank=True)
    # The type sniffed from the original's bytes (never the name or the browser's word).
    original_type = models.CharField(max_length=64)
    original_bytes = models.PositiveBigIntegerField(default=0)
    file = models.FileField(upload_to="media/%Y/%m/", blank=True)
    file_type = models.CharField(max_length=64, blank=True)
    poster = models.FileField(upload_to="posters/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # Resized images: [{"width": 480, "name": "media/2026/12/….webp"}, …], narrowest first.
    variants = models.JSONField(default=list, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "position"]
        constraints = [models.UniqueConstraint(fields=["item", "position"], name="content_media_position_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position + 1} of {self.item}"


class ContentProduct(models.Model):
    """A product shown in a content item, in the order the creator tagged them."""

    content = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="product_links")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="content_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["content", "position"]
        constraints = [
            models.UniqueConstraint(fields=["content", "product"], name="content_product_once"),
            models.UniqueConstraint(fields=["content", "position"], name="content_product_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position + 1}. {self.product}"


class Comment(models.Model):
    """A signed-in user's comment on a content item.

    ``hidden`` comments are kept (for moderators and for the author's own record) but never shown
    or counted; ``moderation_reason`` says which check hid one (``content.comment_checks``).
    """

    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden"

    content = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VISIBLE)
    moderation_reason = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content", "status", "-created_at"], name="comment_content_idx")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.content_id}"
