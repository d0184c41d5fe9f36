import pytest

from content.models import Comment, ContentItem, Creator
from content.services import comment_create, content_submit
from content.studio.services import creator_apply, creator_update
from feedsite.errors import ApplicationError
from moderation.checks import classifier_active, item_screen, screening_run
from moderation.models import AuditEntry, Case, Rule, Screening
from tests.factories import (
    ContentItemFactory,
    CreatorFactory,
    RuleFactory,
    UserFactory,
    VeteranCreatorFactory,
)

pytestmark = pytest.mark.django_db

Status = ContentItem.Status
# The default rules (migration 0003) that read an item's caption, then its media, in name order.
ITEM_CHECKS = [
    ("Contact and payment outside the shop", "caption"),
    ("New accounts", "caption"),
    ("Repeated posting", "caption"),
    ("Several links", "caption"),
    ("Shouting", "caption"),
    ("Slurs and threats", "caption"),
    ("Text classifier", "caption"),
    ("Near-duplicate media", "media"),
]


@pytest.fixture(autouse=True)
def _classifier() -> None:
    """Version 1 exists before each test (its activation is audited, and not what these tests count)."""
    classifier_active()


def decisions() -> int:
    return AuditEntry.objects.exclude(action=AuditEntry.Action.CLASSIFIER_ACTIVATE).count()


def pending(caption: str, *, veteran: bool = True) -> ContentItem:
    creator = VeteranCreatorFactory() if veteran else CreatorFactory()
    return ContentItemFactory(creator=creator, caption=caption, status=Status.PENDING, published_at=None)


def hits(screening: Screening) -> list[tuple[str, str, float]]:
    return [(c["check"], c["outcome"], c["score"]) for c in screening.checks if c["score"]]


def screens() -> list[tuple[str, str | None, str, str]]:
    return list(
        AuditEntry.objects.filter(action=AuditEntry.Action.SCREEN)
        .order_by("pk")
        .values_list("actor_name", "actor", "target_type", "data__outcome")
    )


def test_an_item_nothing_hits_is_published_and_the_outcome_audited():
    item = pending("Linen shirt for warm evenings")

    screening = item_screen(item_id=item.pk)

    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert (screening.subject, screening.item, screening.outcome, screening.risk) == ("item", item, "allow", 0.0)
    assert [(c["check"], c["part"]) for c in screening.checks] == ITEM_CHECKS
    assert screening.classifier is not None
    assert screening.classifier.version == 1
    assert screens() == [("system", None, "item", "allow")]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SCREEN)
    assert (entry.target_id, entry.data["risk"], entry.data["checks"]) == (item.pk, 0.0, screening.checks)
    assert Case.objects.count() == 0


def test_an_item_of_a_new_account_is_held_with_a_case():
    item = pending("Linen shirt for warm evenings", veteran=False)

    screening = item_screen(item_id=item.pk)

    item.refresh_from_db()
    assert item.status == Status.PENDING
    assert (screening.outcome, screening.risk, hits(screening)) == ("hold", 0.2, [("New accounts", "hold", 0.2)])
    case = Case.objects.get()
    assert (case.item, case.why, case.risk, case.status) == (item, Case.Why.HELD, 0.2, Case.Status.OPEN)
    assert screens() == [("system", None, "item", "hold")]


def test_an_item_a_reject_rule_hits_is_rejected_with_the_rules_message():
    item = pending("what an idiot, buy elsewhere")

    screening = item_screen(item_id=item.pk)

    item.refresh_from_db()
    assert (item.status, item.status_reason) == (
        Status.REJECTED,
        "Please keep it kind: this uses words we don't allow.",
    )
    assert screening.outcome == "reject"
    assert ("Slurs and threats", "reject", 0.9) in hits(screening)
    assert screens() == [("system", None, "item", "reject")]
    assert Case.objects.count() == 0


def test_a_rule_without_a_message_rejects_with_its_reason():
    RuleFactory(kind=Rule.Kind.TERMS, parameter="tarot", action="reject", score=0.7)
    item = pending("Free tarot reading")

    item_screen(item_id=item.pk)

    item.refresh_from_db()
    assert (item.status, item.status_reason) == (
        Status.REJECTED,
        "Your post was not accepted: Uses the banned term “tarot”.",
    )


def test_the_strongest_action_decides_and_the_risk_is_the_highest_score():
    RuleFactory(name="hold hard", parameter="sale", action="hold", score=0.95)
    RuleFactory(name="reject soft", parameter="sale", action="reject", score=0.1)
    item = pending("Sale")

    screening = item_screen(item_id=item.pk)

    assert (screening.outcome, screening.risk) == ("reject", 0.95)


def test_a_broken_pattern_is_skipped_and_said_so_never_crashing_screening():
    Rule.objects.filter(kind=Rule.Kind.PATTERN).update(parameter="(unclosed")
    item = pending("Linen shirt for warm evenings")

    screening = item_screen(item_id=item.pk)

    assert screening.outcome == "allow"
    broken = next(c for c in screening.checks if c["kind"] == "pattern")
    assert broken["score"] == 0.0
    assert broken["reason"].startswith("Skipped: The pattern is not a valid regular expression (")


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PUBLISHED, Status.REJECTED, Status.REMOVED])
def test_an_item_no_longer_in_review_is_left_alone(status):
    item = ContentItemFactory(creator=VeteranCreatorFactory(), status=status)

    assert item_screen(item_id=item.pk) is None

    item.refresh_from_db()
    assert item.status == status
    assert (Screening.objects.count(), decisions(), Case.objects.count()) == (0, 0, 0)


def test_screening_twice_does_the_work_once():
    item = pending("Linen shirt", veteran=False)
    first = item_screen(item_id=item.pk)

    again = item_screen(item_id=item.pk)

    assert (first.outcome, again) == ("hold", None)
    assert (Screening.objects.count(), decisions(), Case.objects.count()) == (1, 1, 1)


def test_submitting_an_item_queues_its_screening_after_commit(django_capture_on_commit_callbacks, eager_celery):
    item = ContentItemFactory(creator=VeteranCreatorFactory(), status=Status.DRAFT, published_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        content_submit(item=item)

    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert Screening.objects.get().outcome == "allow"


def test_screening_run_stores_a_screening_and_carries_nothing_out():
    item = pending("what an idiot")

    screening = screening_run(item)

    item.refresh_from_db()
    assert (screening.outcome, item.status) == ("reject", Status.PENDING)
    assert decisions() == 0


# ---- comments -----------------------------------------------------------------------------------


def test_a_comment_nothing_hits_is_shown_and_its_screening_recorded():
    comment = comment_create(content=ContentItemFactory(), author=UserFactory(), body="Where is it from?")

    assert (comment.status, comment.moderation_reason) == (Comment.Status.VISIBLE, "")
    screening = Screening.objects.get()
    assert (screening.subject, screening.comment, screening.outcome) == ("comment", comment, "allow")
    assert [c["check"] for c in screening.checks] == [
        "Contact and payment outside the shop",
        "Repeated posting",
        "Several links",
        "Shouting",
        "Slurs and threats",
        "Text classifier",
    ]
    assert (Case.objects.count(), decisions()) == (0, 0)


def test_a_held_comment_is_stored_hidden_with_a_case_audited():
    comment = comment_create(content=ContentItemFactory(), author=UserFactory(), body="see a.com and b.com")

    assert (comment.status, comment.moderation_reason) == (Comment.Status.HIDDEN, "links")
    screening = Screening.objects.get()
    assert (screening.comment, screening.outcome, screening.risk) == (comment, "hold", 0.6)
    case = Case.objects.get()
    assert (case.comment, case.why, case.risk) == (comment, Case.Why.HELD, 0.6)
    assert screens() == [("system", None, "comment", "hold")]


def test_a_refused_comment_stores_nothing_at_all():
    item = ContentItemFactory()

    with pytest.raises(ApplicationError) as refused:
        comment_create(content=item, author=UserFactory(), body="you moron")

    assert (refused.value.code, refused.value.message, refused.value.extra) == (
        "comment_refused",
        "Please keep it kind: this uses words we don't allow.",
        {"reason": "terms"},
    )
    assert (Comment.objects.count(), Screening.objects.count(), Case.objects.count(), decisions()) == (
        0,
        0,
        0,
        0,
    )


def test_the_third_same_comment_within_the_hour_is_held():
    item, author = ContentItemFactory(), UserFactory()

    statuses = [comment_create(content=item, author=author, body="Great deal!").status for _ in range(3)]

    assert statuses == ["visible", "visible", "hidden"]
    third = Comment.objects.order_by("pk").last()
    assert list(third.screenings.values_list("outcome", flat=True)) == ["hold"]
    assert Case.objects.get().comment == third


# ---- profiles -----------------------------------------------------------------------------------


def test_a_clean_application_is_stored_with_its_screening():
    user = UserFactory()

    creator = creator_apply(user=user, handle="mira", display_name="Mira", bio="Linen and slow mornings")

    screening = Screening.objects.get()
    assert (screening.subject, screening.creator, screening.outcome) == ("profile", creator, "allow")
    assert Case.objects.count() == 0


def test_a_held_application_is_stored_with_a_case_audited():
    creator = creator_apply(user=UserFactory(), handle="mira", display_name="Mira", bio="Deals on WhatsApp only")

    assert Creator.objects.get() == creator
    screening = Screening.objects.get()
    assert screening.outcome == "hold"
    assert ("Contact and payment outside the shop", "hold", 0.7) in hits(screening)
    case = Case.objects.get()
    assert (case.creator, case.why, case.risk) == (creator, Case.Why.HELD, screening.risk)
    assert screens() == [("system", None, "creator", "hold")]


def test_a_refused_application_stores_nothing():
    with pytest.raises(ApplicationError) as refused:
        creator_apply(user=UserFactory(), handle="mira", display_name="Scammer deals", bio="")

    assert (refused.value.code, refused.value.message, refused.value.extra) == (
        "profile_refused",
        "Please keep it kind: this uses words we don't allow.",
        {"reason": "terms"},
    )
    assert (Creator.objects.count(), Screening.objects.count(), Case.objects.count(), decisions()) == (
        0,
        0,
        0,
        0,
    )


def test_a_refused_profile_change_changes_nothing():
    creator = CreatorFactory(display_name="Mira", bio="Linen")

    with pytest.raises(ApplicationError) as refused:
        creator_update(creator=creator, display_name="Mira", bio="what a loser you are")

    assert refused.value.code == "profile_refused"
    assert Creator.objects.values_list("display_name", "bio").get() == ("Mira", "Linen")
    assert Screening.objects.count() == 0


def test_a_held_profile_change_is_stored_with_a_case():
    creator = CreatorFactory(display_name="Mira", bio="Linen")

    creator_update(creator=creator, display_name="Mira", bio="Order via telegram")

    assert Creator.objects.values_list("bio", flat=True).get() == "Order via telegram"
    assert Case.objects.get().creator == creator
