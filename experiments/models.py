"""A/B experiments on the feed: who is in which variant, what a variant changes, what it did.

Assignment is a pure function of salts and the shopper id (``experiments.assignment``), so a
shopper keeps their variant without a row per shopper:

    global holdout (hash of the holdout's salt) → in no experiment at all
    layer (hash of the layer's salt into 10,000 buckets) → the running experiment owning that bucket
    experiment (hash of its salt, by variant weight, or by rollout step) → a variant

Experiments in one layer own disjoint bucket ranges, so they never share a shopper; experiments
in different layers overlap independently. ``Exposure`` records the first page a variant shaped
for a shopper; results are computed on exposed shoppers only.
"""

from __future__ import annotations

import secrets

from django.db import models

from experiments.segments.models import Segment
from profiles.models import Shopper
from ranking.models import MixPolicy, RankerModel

# A layer's traffic is cut into this many buckets: 0.01 % of shoppers each.
BUCKETS = 10_000


def new_salt() -> str:
    return secrets.token_hex(8)


def default_rollout_steps() -> list[float]:
    return [0.01, 0.1, 0.5, 1.0]


class Layer(models.Model):
    """Experiments in one layer never share a shopper; several layers run at once."""

    name = models.SlugField(max_length=40, unique=True)
    description = models.TextField(blank=True)
    salt = models.CharField(max_length=32, default=new_salt)

    def __str__(self) -> str:
        return self.name


class Holdout(models.Model):
    """The global holdout: a share of shoppers outside every experiment, served the defaults, to
    measure the sum of what experiments shipped. One row (``Holdout.current``)."""

    share = models.FloatField(default=0.0, help_text="Share of shoppers (0–0.5) kept out of every experiment.")
    salt = models.CharField(max_length=32, default=new_salt)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"global holdout {self.share:.1%}"

    @classmethod
    def current(cls) -> Holdout:
        return cls.objects.order_by("pk").first() or cls(share=0.0, salt="")


class Experiment(models.Model):
    """Draft (editable) → running (serving, frozen) → stopped (final; never restarted)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Running"
        STOPPED = "stopped", "Stopped"

    class Kind(models.TextChoices):
        AB = "ab", "A/B test (variants by weight)"
        ROLLOUT = "rollout", "Staged rollout (one treatment ramped in steps)"
        INTERLEAVE = "interleave", "Interleaving (two rankers in one feed)"

    class Audience(models.TextChoices):
        ALL = "all", "All shoppers"
        NEW = "new", "New shoppers (first seen after the start)"
        SEGMENT = "segment", "A segment"

    # 40 + "/" + a variant's 23 fit a label of the served-list log.
    name = models.SlugField(max_length=40, unique=True)
    description = models.TextField(blank=True)
    hypothesis = models.TextField(blank=True, help_text="What should change, for whom, and why.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.AB)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    salt = models.CharField(
        max_length=32, default=new_salt, help_text="Mixed into the assignment hash: a new salt reshuffles shoppers."
    )
    layer = models.ForeignKey(Layer, on_delete=models.PROTECT, related_name="experiments")
    traffic_share = models.FloatField(
        default=1.0, help_text="Share (0–1) of the layer's shoppers this experiment takes, all variants together."
    )
    # The layer's buckets [bucket_start, bucket_end) this experiment owns while it runs (set at start).
    bucket_start = models.PositiveIntegerField(null=True, blank=True, editable=False)
    bucket_end = models.PositiveIntegerField(null=True, blank=True, editable=False)
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.ALL)
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="experiments")
    primary_metric = models.CharField(max_length=32, default="click_through")
    secondary_metrics = models.JSONField(default=list, blank=True)
    guardrail_metrics = models.JSONField(default=list, blank=True)
    alpha = models.FloatField(default=0.05, help_text="Significance level of every test (before correction).")
    min_sample = models.PositiveIntegerField(
        default=200, help_text="Exposed shoppers per variant before any verdict or guardrail stop."
    )
    min_days = models.PositiveSmallIntegerField(default=7, help_text="Days of running before a verdict.")
    # Staged rollout: the treatment's share of the experiment's traffic at each step.
    rollout_steps = models.JSONField(default=default_rollout_steps, blank=True)
    step_hours = models.PositiveIntegerField(default=24, help_text="How long each rollout step is held at least.")
    rollout_step = models.PositiveSmallIntegerField(default=0, editable=False)
    step_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("start_experiment", "Can start and stop experiments")]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """What a variant changes; every override blank = the default (a control)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.SlugField(max_length=23)
    is_control = models.BooleanField(default=False, help_text="The variant the others are compared with.")
    weight = models.PositiveIntegerField(default=1, help_text="Relative share of shoppers (e.g. 50 / 50).")
    # PROTECT: deleting what a variant serves would silently move its shoppers to the default.
    policy = models.ForeignKey(
        MixPolicy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variants",
        help_text="The content mix this variant serves; blank = the default policy.",
    )
    ranker = models.ForeignKey(
        RankerModel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variants",
        help_text="The ranker model this variant serves; blank = the active one.",
    )
    source_weights = models.JSONField(
        default=dict, blank=True, help_text='Candidate source → weight, e.g. {"collaborative": 1.5, "trending": 0}.'
    )
    switches_off = models.JSONField(
        default=list, blank=True, help_text='Ranking features switched off, e.g. ["intent"].'
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["experiment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="variant_name_once"),
        ]

    def __str__(self) -> str:
        # A label of the served-list log (``FeedRequest.variant``).
        return f"{self.experiment.name}/{self.name}"


class Exposure(models.Model):
    """The first page a variant shaped for a shopper; results count exposed shoppers only."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="exposures")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="exposures")
    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="+", db_index=False)
    first_at = models.DateTimeField()
    rollout_step = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shopper", "experiment"], name="exposure_once")]
        indexes = [models.Index(fields=["experiment", "first_at"], name="exposure_experiment_idx")]


class StickyUnit(models.Model):
    """A signed-in account keeps the variant its visitor had: the account is assigned as ``unit``
    (the visitor's shopper id) in this experiment (``experiments.assignment``)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="+")
    shopper = models.ForeignKey(Shopper, on_delete=models.CASCADE, related_name="+", db_index=False)
    unit = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shopper", "experiment"], name="sticky_unit_once")]


class ResultSnapshot(models.Model):
    """An experiment's results as computed at one moment (``experiments.results``): the latest is
    what the results page shows, the series is its lift over time."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="snapshots")
    computed_at = models.DateTimeField()
    report = models.JSONField()

    class Meta:
        ordering = ["experiment", "computed_at"]
        indexes = [models.Index(fields=["experiment", "-computed_at"], name="snapshot_latest_idx")]
