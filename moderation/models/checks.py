"""The automatic checks: rules moderators edit, the classifier's versions, media fingerprints, and the
outcome of screening each submission with every check's score and reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from content.models import Comment, ContentItem, Creator


class Outcome(models.TextChoices):
    ALLOW = "allow", "Allow"
    HOLD = "hold", "Hold for review"
    REJECT = "reject", "Reject"


class Rule(models.Model):
    """One automatic check, edited in admin (each change audited). What ``parameter`` and
    ``threshold`` mean depends on ``kind`` (``moderation.checks.rules`` says, per kind)."""

    class Kind(models.TextChoices):
        TERMS = "terms", "Banned terms (one per line)"
        PATTERN = "pattern", "Banned pattern (regular expression)"
        LINKS = "links", "Links (more than threshold)"
        SHOUTING = "shouting", "Shouting (share of capitals above threshold)"
        REPEAT = "repeat", "Repeated posting (same text more than threshold times in parameter minutes)"
        NEW_ACCOUNT = "new_account", "New accounts (younger than threshold days)"
        NEAR_DUPLICATE = "near_duplicate", "Near-duplicate media (perceptual hash distance ≤ threshold)"
        CLASSIFIER = "classifier", "Text classifier (probability ≥ threshold)"

    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parameter = models.TextField(blank=True)
    threshold = models.FloatField(null=True, blank=True)
    # What a hit does, and how risky it makes the submission (0..1; the queue orders by the highest).
    action = models.CharField(max_length=8, choices=[(Outcome.HOLD, "Hold for review"), (Outcome.REJECT, "Reject")])
    score = models.FloatField(default=0.5)
    # What it applies to.
    on_captions = models.BooleanField(default=True)
    on_comments = models.BooleanField(default=True)
    on_profiles = models.BooleanField(default=True)
    on_media = models.BooleanField(default=False)
    # Told to the author when the rule rejects.
    message = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="rule_score_unit")]

    def __str__(self) -> str:
        return self.name


class ClassifierVersion(models.Model):
    """One trained text classifier (a scikit-learn pipeline, serialized with joblib into ``model``),
    with how it did on held-back labelled examples. At most one is active."""

    class Source(models.TextChoices):
        SEED = "seed", "Seed examples"
        DECISIONS = "decisions", "Moderators' decisions"

    version = models.PositiveIntegerField(unique=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    trained_at = models.DateTimeField()
    examples = models.PositiveIntegerField()
    positives = models.PositiveIntegerField()
    # On the held-back examples, at ``threshold``.
    precision = models.FloatField(null=True, blank=True)
    recall = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(default=0.5)
    model = models.BinaryField()
    active = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="one_active_classifier")
        ]

    def __str__(self) -> str:
        return f"classifier v{self.version}"


class MediaFingerprint(models.Model):
    """A perceptual hash of an item's image or video poster (64 bits, hex), for near-duplicate checks."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="fingerprints")
    phash = models.CharField(max_length=16, db_index=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "phash"], name="fingerprint_once")]

    def __str__(self) -> str:
        return f"{self.phash} of item {self.item_id}"


class Screening(models.Model):
    """The automatic checks' outcome on one submission: exactly one of item, comment, creator (profile)."""

    class Subject(models.TextChoices):
        ITEM = "item", "Post (caption and media)"
        COMMENT = "comment", "Comment"
        PROFILE = "profile", "Creator profile"

    subject = models.CharField(max_length=8, choices=Subject.choices)
    item = models.ForeignKey(ContentItem, null=True, blank=True, on_delete=models.CASCADE, related_name="screenings")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="screenings")
    creator = models.ForeignKey(Creator, null=True, blank=True, on_delete=models.CASCADE, related_name="screenings")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    # The highest score of the checks that hit (0 when none did).
    risk = models.FloatField(default=0.0)
    # [{"check": name, "score": 0..1, "reason": text, "outcome": allow|hold|reject}, …], every check run.
    checks = models.JSONField(default=list)
    classifier = models.ForeignKey(
        ClassifierVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(item__isnull=False, comment__isnull=True, creator__isnull=True)
                    | Q(item__isnull=True, comment__isnull=False, creator__isnull=True)
                    | Q(item__isnull=True, comment__isnull=True, creator__isnull=False)
                ),
                name="screening_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.subject})"
