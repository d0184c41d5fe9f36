"""A/B experiments on the feed: which shoppers get which content-mix policy.

An experiment splits shoppers between its variants by weight; each variant serves a
``MixPolicy`` (none = the default policy). Assignment is a pure function of the experiment's salt
and the shopper id (``experiments.selectors.variant_assign``), so a shopper keeps their variant
for the experiment's life without a row per shopper. At most one experiment runs at a time.
"""

from __future__ import annotations

import secrets

from django.db import models

from ranking.models import MixPolicy


def new_salt() -> str:
    return secrets.token_hex(8)


class Experiment(models.Model):
    """Draft (variants editable) → running (serving, frozen) → stopped (final; never restarted)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Running"
        STOPPED = "stopped", "Stopped"

    # 40 + "/" + a variant's 23 fit the served-list log's 64-character ``FeedRequest.variant``.
    name = models.SlugField(max_length=40, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    salt = models.CharField(
        max_length=32, default=new_salt, help_text="Mixed into the assignment hash: a new salt reshuffles shoppers."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="running"), name="experiment_one_running"
            ),
        ]
        permissions = [("start_experiment", "Can start and stop experiments")]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.SlugField(max_length=23)
    weight = models.PositiveIntegerField(default=1, help_text="Relative share of shoppers (e.g. 50 / 50).")
    # PROTECT: deleting the policy a variant serves would silently move its shoppers to the default.
    policy = models.ForeignKey(
        MixPolicy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variants",
        help_text="The content mix this variant serves; blank = the default policy (a control).",
    )

    class Meta:
        ordering = ["experiment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="variant_name_once"),
        ]

    def __str__(self) -> str:
        # The label the served-list log records (``FeedRequest.variant``).
        return f"{self.experiment.name}/{self.name}"
