"""The text classifier: trained on labelled examples (the seed file, then moderators' decisions),
versioned in ``ClassifierVersion``, activated only when it does no worse than the active one.

Labels: 1 = a moderator would refuse it (reject, remove or hide), 0 = approved. Each version is
measured on a held-back stratified quarter of its examples; the active version is measured on the
same held-back examples, so that the comparison is like for like.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

from content.models import Comment, ContentItem
from moderation.audit import audit_record
from moderation.models import AuditEntry, ClassifierVersion, Rule

logger = logging.getLogger(__name__)

SEED_FILE = Path(__file__).with_name("seed_examples.csv")
# A quarter of the examples is held back to measure each version; the split is reproducible.
HELD_BACK = 0.25
SPLIT_SEED = 0
# Below this many examples of either label no split can measure anything: training is refused.
MIN_PER_LABEL = 8
# Where no classifier rule says otherwise, the probability at which a text counts as a hit.
DEFAULT_THRESHOLD = 0.5
# Moderators' decisions that label a text, by action: 1 = refused, 0 = approved.
LABEL_OF_ACTION: dict[str, int] = {
    AuditEntry.Action.APPROVE: 0,
    AuditEntry.Action.REJECT: 1,
    AuditEntry.Action.REMOVE: 1,
    AuditEntry.Action.HIDE: 1,
}
_TEXT_TARGETS = (AuditEntry.Target.ITEM, AuditEntry.Target.COMMENT)


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[int]


@dataclass(frozen=True)
class Trained:
    pipeline: Pipeline
    model: bytes
    held_texts: list[str]
    held_labels: list[int]


def seed_examples() -> Examples:
    """The labelled demo examples shipped in ``seed_examples.csv`` (text, label 0/1, category)."""
    with SEED_FILE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return Examples([row["text"] for row in rows], [int(row["label"]) for row in rows])


def decision_examples() -> Examples:
    """Moderators' decisions (actor not null) on items and comments, the latest per target, each
    labelled by ``LABEL_OF_ACTION`` with the caption or body as it is now (gone targets skipped)."""
    latest: dict[tuple[str, int | None], int] = {}
    decisions = (
        AuditEntry.objects.filter(actor__isnull=False, action__in=list(LABEL_OF_ACTION), target_type__in=_TEXT_TARGETS)
        .order_by("at", "pk")
        .values_list("target_type", "target_id", "action")
    )
    for target_type, target_id, action in decisions:
        latest[(target_type, target_id)] = LABEL_OF_ACTION[action]
    item_ids = [key[1] for key in latest if key[0] == AuditEntry.Target.ITEM]
    comment_ids = [key[1] for key in latest if key[0] == AuditEntry.Target.COMMENT]
    texts: dict[tuple[str, int | None], str] = {
        (AuditEntry.Target.ITEM, pk): text
        for pk, text in ContentItem.objects.filter(pk__in=item_ids).values_list("pk", "caption")
    }
    texts |= {
        (AuditEntry.Target.COMMENT, pk): text
        for pk, text in Comment.objects.filter(pk__in=comment_ids).values_list("pk", "body")
    }
    found = [(texts[key], label) for key, label in latest.items() if texts.get(key, "").strip()]
    return Examples([text for text, _ in found], [label for _, label in found])


def decisions_since(moment: Any) -> int:
    """How many labelling decisions moderators took after ``moment`` (None: ever)."""
    decisions = AuditEntry.objects.filter(
        actor__isnull=False, action__in=list(LABEL_OF_ACTION), target_type__in=_TEXT_TARGETS
    )
    return (decisions.filter(at__gt=moment) if moment is not None else decisions).count()


def _pipeline() -> Pipeline:
    # Word n-grams catch phrases; character n-grams catch spelling games ("fr33", "d.m me").
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )
    return Pipeline(
        [("features", features), ("model", LogisticRegression(C=30, class_weight="balanced", max_iter=1000))]
    )


def train(examples: Examples) -> Trained:
    """Fit a pipeline on all but a held-back stratified quarter of ``examples``.

    Raises ``ValueError`` when either label has fewer than ``MIN_PER_LABEL`` examples."""
    for label in (0, 1):
        if examples.labels.count(label) < MIN_PER_LABEL:
            raise ValueError(
                f"Too few examples labelled {label}: {examples.labels.count(label)} (need {MIN_PER_LABEL})."
            )
    fit_texts, held_texts, fit_labels, held_labels = train_test_split(
        examples.texts, examples.labels, test_size=HELD_BACK, stratify=examples.labels, random_state=SPLIT_SEED
    )
    pipeline = _pipeline().fit(fit_texts, fit_labels)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    return Trained(pipeline, buffer.getvalue(), list(held_texts), list(held_labels))


def measure(pipeline: Pipeline, texts: Sequence[str], labels: Sequence[int], threshold: float) -> tuple[float, float]:
    """Precision and recall of ``pipeline`` on ``texts`` at ``threshold`` (0 when undefined)."""
    predicted = [int(p >= threshold) for p in pipeline.predict_proba(list(texts))[:, 1]]
    return (
        float(precision_score(labels, predicted, zero_division=0)),
        float(recall_score(labels, predicted, zero_division=0)),
    )


def f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def operating_threshold() -> float:
    """The probability at which the enabled classifier rule hits (the lowest, if several)."""
    thresholds = Rule.objects.filter(kind=Rule.Kind.CLASSIFIER, enabled=True, threshold__isnull=False).values_list(
        "threshold", flat=True
    )
    return min((value for value in thresholds if value is not None), default=DEFAULT_THRESHOLD)


# ---- loading ------------------------------------------------------------------------------------

_loaded: dict[tuple[int, str], Pipeline] = {}
_seed_cache: dict[str, Trained] = {}


def pipeline_of(version: ClassifierVersion) -> Pipeline:
    """The version's pipeline, loaded once per process (keyed by version and a digest of its bytes)."""
    data = bytes(version.model)
    key = (version.pk, hashlib.sha256(data).hexdigest())
    if key not in _loaded:
        _loaded.clear()  # one version is in use at a time: keep memory flat
        _loaded[key] = joblib.load(io.BytesIO(data))
    return _loaded[key]


def probability(version: ClassifierVersion, text: str) -> float:
    """The probability (0..1) that a moderator would refuse ``text``, by ``version``."""
    return float(pipeline_of(version).predict_proba([text])[0, 1])


# ---- versions -----------------------------------------------------------------------------------


def classifier_active() -> ClassifierVersion | None:
    """The active version; when no version exists yet, version 1 is trained from the seed examples
    and activated (a fresh install screens text from its first submission)."""
    active = ClassifierVersion.objects.filter(active=True).first()
    if active is not None or ClassifierVersion.objects.exists():
        return active
    try:
        return classifier_train(source=ClassifierVersion.Source.SEED)
    except IntegrityError:
        # Another process trained version 1 meanwhile: use theirs.
        return ClassifierVersion.objects.filter(active=True).first()


def _seed_trained() -> Trained:
    """The seed file's training, once per process per file content (it only changes with a release)."""
    digest = hashlib.sha256(SEED_FILE.read_bytes()).hexdigest()
    if digest not in _seed_cache:
        _seed_cache[digest] = train(seed_examples())
    return _seed_cache[digest]


def classifier_train(*, source: str, by: User | None = None) -> ClassifierVersion:
    """Train, store and measure a new version; activate it when it does no worse than the active one.

    ``source`` ``seed``: the seed examples alone; ``decisions``: the seed examples plus moderators'
    decisions (a decision on a text overrides nothing in the seed; both count). Precision and
    recall are measured on the held-back examples at ``operating_threshold()``; the version is
    activated when there is no active version or its F1 there is at least the active version's on
    the same examples, and ``notes`` says which and why. Activation is audited (actor ``by``, None:
    the system). Raises ``ValueError`` when there are too few examples of a label.
    """
    if source == ClassifierVersion.Source.SEED:
        examples, trained = seed_examples(), _seed_trained()
    else:
        seed, decided = seed_examples(), decision_examples()
        examples = Examples(seed.texts + decided.texts, seed.labels + decided.labels)
        trained = train(examples)
    threshold = operating_threshold()
    precision, recall = measure(trained.pipeline, trained.held_texts, trained.held_labels, threshold)
    with transaction.atomic():
        active = ClassifierVersion.objects.select_for_update().filter(active=True).first()
        number = (ClassifierVersion.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        version = ClassifierVersion.objects.create(
            version=number,
            source=source,
            trained_at=timezone.now(),
            examples=len(examples.labels),
            positives=sum(examples.labels),
            precision=precision,
            recall=recall,
            threshold=threshold,
            model=trained.model,
        )
        mine = f1(precision, recall)
        if active is None:
            verdict, activate = f"Activated: no version was active (F1 {mine:.3f}).", True
        else:
            theirs = f1(*measure(pipeline_of(active), trained.held_texts, trained.held_labels, threshold))
            activate = mine >= theirs
            verdict = (
                f"{'Activated' if activate else 'Not activated'}: F1 {mine:.3f} against v{active.version}'s "
                f"{theirs:.3f} on the same {len(trained.held_labels)} held-back examples."
            )
        version.notes = verdict
        version.save(update_fields=["notes"])
        if activate:
            classifier_activate(version=version, by=by, note=verdict)
    logger.info("classifier v%s trained from %s: %s", version.version, source, verdict)
    return version


def classifier_activate(*, version: ClassifierVersion, by: User | None, note: str = "") -> ClassifierVersion:
    """Make ``version`` the one screening uses (the previous one is deactivated); audited.

    Activating the active version changes and records nothing."""
    with transaction.atomic():
        previous = ClassifierVersion.objects.select_for_update().filter(active=True).first()
        if previous is not None and previous.pk == version.pk:
            return version
        if previous is not None:
            ClassifierVersion.objects.filter(pk=previous.pk).update(active=False)
        ClassifierVersion.objects.filter(pk=version.pk).update(active=True)
        version.active = True
        audit_record(
            actor=by,
            action=AuditEntry.Action.CLASSIFIER_ACTIVATE,
            target=version,
            note=note,
            data={
                "version": version.version,
                "previous": previous.version if previous is not None else None,
                "precision": version.precision,
                "recall": version.recall,
                "threshold": version.threshold,
            },
        )
    return version


def classifier_retrain_due() -> bool:
    """Whether ``MODERATION_RETRAIN_AFTER_DECISIONS`` decisions have come since the latest version
    was trained (the latest, not the active: a candidate that was not activated has seen them)."""
    latest = ClassifierVersion.objects.order_by("-version").first()
    since = latest.trained_at if latest is not None else None
    return decisions_since(since) >= settings.MODERATION_RETRAIN_AFTER_DECISIONS


def classifier_retrain(*, by: User | None = None, force: bool = False) -> ClassifierVersion | None:
    """Train a version from decisions when due (or ``force``); None when not due or too few examples.

    Safe to run twice at once: the latest version's row is locked while deciding, so the second run
    sees the first one's version and finds nothing due."""
    classifier_active()
    with transaction.atomic():
        ClassifierVersion.objects.select_for_update().order_by("-version").first()
        if not force and not classifier_retrain_due():
            return None
        try:
            return classifier_train(source=ClassifierVersion.Source.DECISIONS, by=by)
        except ValueError as exc:
            logger.warning("classifier retrain skipped: %s", exc)
            return None
