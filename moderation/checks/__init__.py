"""Automatic checks on everything posted: rules edited in admin, near-duplicate media, a text
classifier trained on moderators' decisions, and screening that stores and carries out the outcome.

Public (import from here):

- ``screening_run(subject)``: run every applicable check on an item, comment or creator profile and
  store a ``Screening`` (outcome, risk, every check's score and reason, classifier version).
- ``item_screen(item_id=)``: screen an item in review and publish, hold (with a case) or reject it,
  audited; idempotent. Celery: ``moderation.screen_item`` (queued on ``content_submitted``).
- ``classifier_active()``: the active classifier version (version 1 is trained from
  ``seed_examples.csv`` when none exists); ``classifier_train``, ``classifier_activate``,
  ``classifier_retrain``.
- ``classifier_retrain_if_due()``: the queue calls it after each decision; it queues
  ``moderation.classifier_retrain`` once ``MODERATION_RETRAIN_AFTER_DECISIONS`` decisions came.
- ``rule_save`` / ``rule_delete``: validated, audited rule changes; ``rule_validate`` the per-kind
  validation the admin form uses.

Modules: ``rules`` (one check per ``Rule.Kind``), ``fingerprints`` (perceptual hashes),
``classifier``, ``screening``, ``services`` (rules), ``tasks``, ``receivers`` (content's signals).
"""

from moderation.checks.classifier import (
    classifier_activate,
    classifier_active,
    classifier_retrain,
    classifier_train,
)
from moderation.checks.rules import rule_validate
from moderation.checks.screening import item_screen, screening_run
from moderation.checks.services import rule_delete, rule_save
from moderation.checks.tasks import classifier_retrain_if_due

__all__ = [
    "classifier_activate",
    "classifier_active",
    "classifier_retrain",
    "classifier_retrain_if_due",
    "classifier_train",
    "item_screen",
    "rule_delete",
    "rule_save",
    "rule_validate",
    "screening_run",
]
