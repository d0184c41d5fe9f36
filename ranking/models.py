"""What the feed served: every page, its cards and why, so training can join it with what followed."""

from __future__ import annotations

import uuid

from django.db import models

from feedsite.storage import private_storage
from profiles.models import Shopper


class FeedRequest(models.Model):
    """One served feed page (the served-list log).

    ``feed_session`` ties the pages of one scroll together (the cursor carries it); ``items`` are
    content ids in served order, ``reasons`` the machine-readable reason of each, aligned.
    """

    request_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Looked up by shopper through feedrequest_shopper_idx (shopper, -served_at): no index of its own.
    shopper = models.ForeignKey(
        Shopper, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    feed_session = models.UUIDField(db_index=True)
    page = models.PositiveIntegerField(default=0)
    served_at = models.DateTimeField(auto_now_add=True)
    items = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    # "experiment/variant" labels of every experiment that shaped the page, comma-separated.
    variant = models.CharField(max_length=200, blank=True)
    features = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["shopper", "-served_at"], name="feedrequest_shopper_idx"),
            models.Index(fields=["-served_at"], name="feedrequest_recent_idx"),
        ]


class MixPolicy(models.Model):
    """How the feed mixes what the ranker liked: quotas, spacing, exploration and merchandising.

    Marketers edit these in admin; one policy is the default, and an experiment variant may name
    another. The rules are rows of ``MixRule``; the limits that apply to every page are fields here.
    """

    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)
    # Quotas count within a window of this many consecutive cards.
    window = models.PositiveSmallIntegerField(default=5)
    max_same_creator_in_row = models.PositiveSmallIntegerField(default=1)
    max_same_kind_in_row = models.PositiveSmallIntegerField(default=3)
    min_creator_spacing = models.PositiveSmallIntegerField(
        default=3, help_text="Cards between two cards of one creator (0 = no spacing)."
    )
    exploration_share = models.FloatField(
        default=0.1, help_text="Share of cards (0–1) given to exploration candidates: new items and creators."
    )
    promoted_daily_impressions = models.PositiveIntegerField(
        default=0,
        help_text="Impressions a promoted item may get per day (UTC), across all shoppers; 0 = no budget.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "mix policies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="mixpolicy_one_default"
            ),
            models.CheckConstraint(
                condition=models.Q(exploration_share__gte=0) & models.Q(exploration_share__lte=1),
                name="mixpolicy_exploration_share_is_a_share",
            ),
            models.CheckConstraint(condition=models.Q(window__gte=1), name="mixpolicy_window_positive"),
        ]

    def __str__(self) -> str:
        return self.name + (" (default)" if self.is_default else "")


class MixRule(models.Model):
    """One rule of a policy, matching cards by one attribute.

    * ``min`` / ``max``: at least / at most ``amount`` matching cards in every window;
    * ``boost`` / ``bury``: multiply the ranker's score of matching cards by ``amount``;
    * ``pin``: put the matching item at position ``amount`` (0 = top) of the first page.
    """

    class Action(models.TextChoices):
        MIN = "min", "At least N per window"
        MAX = "max", "At most N per window"
        BOOST = "boost", "Boost score by factor"
        BURY = "bury", "Bury score by factor"
        PIN = "pin", "Pin at position"

    class Match(models.TextChoices):
        KIND = "kind", "Kind"
        SOURCE = "source", "Source"
        CREATOR = "creator", "Creator id"
        BRAND = "brand", "Brand id"
        TAG = "tag", "Tag slug"
        ITEM = "item", "Content item id"
        CANDIDATE = "candidate", "Candidate source"

    policy = models.ForeignKey(MixPolicy, on_delete=models.CASCADE, related_name="rules")
    action = models.CharField(max_length=8, choices=Action.choices)
    match = models.CharField(max_length=10, choices=Match.choices)
    value = models.CharField(max_length=120, help_text="What the attribute must equal, e.g. brand_post or promoted.")
    amount = models.FloatField(help_text="N for min/max, the factor for boost/bury, the position for pin.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["policy", "action", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="mixrule_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.match}={self.value} ({self.amount:g})"


class MerchTrigger(models.Model):
    """A merchandising trigger: "viewed a product N times in H hours → boost its related products".

    Products have no accessory relation; what they share is the merchant's category path
    ("Electronics > Cameras > Lenses"). A product is *related* to the viewed one when it is another
    product whose path agrees on the first ``related_depth`` levels (0 = the whole path, the same
    leaf category): with depth 2, a viewed mirrorless camera boosts lenses and tripods filed under
    "Electronics > Cameras". ``category`` narrows which viewed products fire the trigger at all.
    A product without a category path is related to nothing. See ``ranking.merch``.
    """

    policy = models.ForeignKey(MixPolicy, on_delete=models.CASCADE, related_name="triggers")
    name = models.CharField(max_length=100)
    min_views = models.PositiveSmallIntegerField(default=2)
    within_hours = models.PositiveSmallIntegerField(default=24)
    boost = models.FloatField(default=2.0, help_text="Score factor for cards showing a related product.")
    category = models.CharField(
        max_length=300,
        blank=True,
        help_text="Only views of products under this category path fire, e.g. Electronics > Cameras (blank = any).",
    )
    related_depth = models.PositiveSmallIntegerField(
        default=0,
        help_text="Related products share this many leading levels of the viewed product's category (0 = all).",
    )
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(boost__gt=0), name="merchtrigger_boost_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class RankerModel(models.Model):
    """One trained ranker: its window, features, offline metrics and artifact (the model registry)."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"
        REFUSED = "refused", "Refused (worse offline)"

    version = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    trained_from = models.DateTimeField(null=True, blank=True)
    trained_until = models.DateTimeField(null=True, blank=True)
    features = models.JSONField(default=list)
    params = models.JSONField(default=dict)
    metrics = models.JSONField(default=dict, help_text="Offline metrics on the validation cut, e.g. ndcg@20.")
    examples = models.PositiveIntegerField(default=0)
    training_seconds = models.FloatField(default=0)
    artifact = models.FileField(upload_to="rankers/", storage=private_storage)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="active"), name="ranker_one_active"),
        ]
        permissions = [
            ("activate_model", "Can activate a ranker model and roll back to the previous one"),
            ("preview_feed", "Can preview the feed as a shopper"),
        ]

    def __str__(self) -> str:
        return f"ranker {self.version} ({self.status})"
