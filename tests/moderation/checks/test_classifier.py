import json
from io import StringIO

import pytest
from django.core.management import call_command

from moderation.audit import audit_record
from moderation.checks import classifier, classifier_retrain_if_due
from moderation.checks.classifier import (
    classifier_activate,
    classifier_active,
    classifier_retrain,
    classifier_train,
    decision_examples,
    probability,
    seed_examples,
)
from moderation.checks.rules import COMMENT, Context, Hit, Part, check_classifier
from moderation.checks.tasks import classifier_retrain_task
from moderation.models import AuditEntry, ClassifierVersion, Rule
from tests.factories import CommentFactory, ContentItemFactory, RuleFactory, UserFactory

pytestmark = pytest.mark.django_db

Source = ClassifierVersion.Source


def activations() -> list[tuple[str, int | None, object]]:
    return list(
        AuditEntry.objects.filter(action=AuditEntry.Action.CLASSIFIER_ACTIVATE)
        .order_by("pk")
        .values_list("actor_name", "target_id", "data__version")
    )


def decide(action: str, target, *, by=None) -> None:
    audit_record(actor=by or UserFactory(), action=action, target=target)


def test_the_seed_file_has_hundreds_of_labelled_examples_of_both_kinds():
    examples = seed_examples()

    assert (len(examples.labels), sum(examples.labels)) == (440, 192)


def test_a_fresh_install_trains_and_activates_version_1_from_the_seed_examples():
    assert ClassifierVersion.objects.count() == 0

    active = classifier_active()

    assert active is not None
    assert (active.version, active.source, active.active, active.examples, active.positives) == (
        1,
        Source.SEED,
        True,
        440,
        192,
    )
    # The default classifier rule's threshold is the operating point measured.
    assert active.threshold == 0.8
    assert 0.9 <= active.precision <= 1.0
    assert 0.4 <= active.recall <= 1.0
    assert active.notes.startswith("Activated: no version was active (F1 ")
    assert activations() == [("system", active.pk, 1)]
    # The next call uses it rather than training again.
    assert classifier_active() == active
    assert ClassifierVersion.objects.count() == 1


def test_the_active_version_scores_text_and_the_classifier_rule_hits_above_its_threshold():
    version = classifier_active()
    rule = RuleFactory.build(kind=Rule.Kind.CLASSIFIER, threshold=0.8, score=0.8)

    spam = check_classifier(rule, Part(COMMENT, "Cheap replica designer bags message me"), Context())
    fine = check_classifier(rule, Part(COMMENT, "Love this"), Context())

    assert probability(version, "Cheap replica designer bags message me") >= 0.9
    assert probability(version, "Love this") < 0.2
    assert isinstance(spam, Hit)
    assert spam.score == 0.8
    likely = probability(version, "Cheap replica designer bags message me")
    assert spam.reason == f"Classifier v1: {likely:.2f} likely to be refused (≥ 0.8)."
    assert fine is None


def test_decisions_label_texts_the_latest_decision_per_target_wins_and_the_system_is_ignored():
    approved, rejected = ContentItemFactory(caption="Nice linen"), ContentItemFactory(caption="fake bags")
    changed_mind, comment = ContentItemFactory(caption="borderline"), CommentFactory(body="you clown")
    decide(AuditEntry.Action.APPROVE, approved)
    decide(AuditEntry.Action.REJECT, rejected)
    decide(AuditEntry.Action.REMOVE, changed_mind)
    decide(AuditEntry.Action.APPROVE, changed_mind)
    decide(AuditEntry.Action.HIDE, comment)
    audit_record(actor=None, action=AuditEntry.Action.REJECT, target=ContentItemFactory(caption="by the system"))
    decide(AuditEntry.Action.CLAIM, ContentItemFactory(caption="not a decision"))

    examples = decision_examples()

    assert sorted(zip(examples.texts, examples.labels, strict=True)) == [
        ("Nice linen", 0),
        ("borderline", 0),
        ("fake bags", 1),
        ("you clown", 1),
    ]


def test_a_version_that_does_worse_is_stored_but_not_activated(weak_pipeline):
    seed = classifier_active()

    worse = classifier_train(source=Source.DECISIONS)

    assert (worse.version, worse.active, worse.precision, worse.recall) == (2, False, 0.0, 0.0)
    assert worse.notes.startswith("Not activated: F1 0.000 against v1's 0.")
    assert worse.notes.endswith(" on the same 110 held-back examples.")
    assert list(ClassifierVersion.objects.filter(active=True)) == [seed]
    assert activations() == [("system", seed.pk, 1)]


def test_a_version_that_does_no_worse_replaces_the_active_one_audited(monkeypatch, weak_pipeline):
    weak = classifier_train(source=Source.DECISIONS)
    monkeypatch.undo()  # back to the real pipeline

    better = classifier_train(source=Source.DECISIONS)

    weak.refresh_from_db()
    assert (weak.version, weak.active, better.version, better.active) == (1, False, 2, True)
    assert better.notes.startswith("Activated: F1 0.")
    assert better.notes.endswith("against v1's 0.000 on the same 110 held-back examples.")
    assert activations() == [("system", weak.pk, 1), ("system", better.pk, 2)]


def test_a_moderator_activates_a_version_audited_and_reactivating_changes_nothing():
    seed = classifier_active()
    moderator = UserFactory(username="mod")
    other = classifier_train(source=Source.DECISIONS)
    classifier_activate(version=seed, by=moderator, note="back to the seed")
    count = AuditEntry.objects.count()

    classifier_activate(version=seed, by=moderator)

    other.refresh_from_db()
    assert (other.active, ClassifierVersion.objects.get(active=True)) == (False, seed)
    assert AuditEntry.objects.count() == count
    last = AuditEntry.objects.filter(action=AuditEntry.Action.CLASSIFIER_ACTIVATE).first()
    assert (last.actor_name, last.note, last.data["previous"], last.data["version"]) == (
        "mod",
        "back to the seed",
        2,
        1,
    )


def test_training_refuses_too_few_examples_of_a_label(monkeypatch):
    monkeypatch.setattr(classifier, "seed_examples", lambda: classifier.Examples(["a"] * 20, [0] * 20))

    with pytest.raises(ValueError, match="Too few examples labelled 1: 0"):
        classifier_train(source=Source.DECISIONS)

    assert ClassifierVersion.objects.count() == 0


@pytest.mark.parametrize(("decisions", "due"), [(2, False), (3, True)])
def test_a_retrain_is_queued_once_enough_decisions_came_since_the_latest_version(
    settings, django_capture_on_commit_callbacks, eager_celery, decisions, due
):
    settings.MODERATION_RETRAIN_AFTER_DECISIONS = 3
    classifier_active()
    for _ in range(decisions):
        decide(AuditEntry.Action.REJECT, ContentItemFactory(caption="Replica bags cheap"))

    with django_capture_on_commit_callbacks(execute=True) as queued:
        queued_one = classifier_retrain_if_due()

    assert (queued_one, len(queued)) == (due, int(due))
    assert list(ClassifierVersion.objects.values_list("version", "source")) == (
        [(2, Source.DECISIONS), (1, Source.SEED)] if due else [(1, Source.SEED)]
    )


def test_the_retrain_task_is_safe_twice(settings):
    settings.MODERATION_RETRAIN_AFTER_DECISIONS = 2
    classifier_active()
    for _ in range(2):
        decide(AuditEntry.Action.APPROVE, ContentItemFactory(caption="Lovely scarf"))

    first, second = classifier_retrain_task(), classifier_retrain_task()

    assert (first, second) == (2, None)
    new = ClassifierVersion.objects.get(version=2)
    assert (new.examples, new.positives) == (442, 192)


def test_a_forced_retrain_trains_even_when_not_due():
    classifier_active()

    assert classifier_retrain(force=True).version == 2
    assert classifier_retrain() is None


@pytest.mark.parametrize("as_json", [True, False])
def test_the_command_reports_the_active_versions_precision_and_recall(as_json):
    out = StringIO()

    call_command("moderation_classifier", *(["--json"] if as_json else []), stdout=out)

    active = ClassifierVersion.objects.get(active=True)
    precision, recall = round(active.precision, 3), round(active.recall, 3)
    if as_json:
        report = json.loads(out.getvalue())
        assert (report["version"], report["precision"], report["recall"], report["threshold"]) == (
            1,
            precision,
            recall,
            0.8,
        )
    else:
        assert out.getvalue() == (
            "Active classifier v1 (seed, 440 examples, 192 refused), on held-back examples at probability ≥ 0.8: "
            f"precision {precision:.3f}, recall {recall:.3f}.\n"
        )


def test_the_command_trains_a_new_version_first_when_asked():
    out = StringIO()

    call_command("moderation_classifier", "--train", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["trained"]["version"] == 2
    assert ClassifierVersion.objects.count() == 2
