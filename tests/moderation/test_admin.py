import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.selectors import published
from moderation.models import CreatorDecision, CreatorStanding
from moderation.services import creator_block
from tests.factories import ContentItemFactory, CreatorFactory, CreatorStandingFactory, UserFactory

pytestmark = pytest.mark.django_db
STANDINGS = reverse("admin:moderation_creatorstanding_changelist")
DECISIONS = reverse("admin:moderation_creatordecision_changelist")


def _listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in response.context["messages"]]


def _act(client, action: str, standings, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [s.pk for s in standings], **extra}
    return client.post(STANDINGS, data, follow="post" in extra)


def _state() -> list[tuple]:
    return list(CreatorStanding.objects.order_by("pk").values_list("creator_id", "blocked", "reason", "updated_by_id"))


# The list


def test_standings_are_listed_worst_first_with_what_the_reputation_was_computed_from(admin_client):
    fine = CreatorStandingFactory(reputation=0.8)
    worst = CreatorStandingFactory(reputation=0.1, items_judged=6, items_removed=5, impressions=300, hides=40)
    blocked = CreatorStandingFactory(reputation=0.6, blocked=True, reason="counterfeits")

    response = admin_client.get(STANDINGS)

    assert _listed(response) == [worst, blocked, fine]
    page = response.content.decode()
    assert "5 of 6 items removed · 40 hides in 300 impressions" in page
    assert "0.10" in page
    assert "counterfeits" in page


@pytest.mark.parametrize(("served", "expected"), [("yes", {"fine"}), ("no", {"low", "blocked"})])
def test_standings_filter_by_whether_the_creator_is_served(admin_client, served, expected):
    rows = {
        "fine": CreatorStandingFactory(reputation=0.5),
        "low": CreatorStandingFactory(reputation=0.1),
        "blocked": CreatorStandingFactory(blocked=True),
    }

    listed = _listed(admin_client.get(STANDINGS, {"served": served}))

    assert {name for name, row in rows.items() if row in listed} == expected


def test_standings_changelist_query_count_does_not_grow_with_rows(admin_client):
    def build() -> None:
        creator_block(creator=CreatorFactory(), by=UserFactory(), reason="spam")

    for _ in range(3):
        build()
    admin_client.get(STANDINGS)  # warms the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        admin_client.get(STANDINGS)
    for _ in range(27):
        build()
    with CaptureQueriesContext(connection) as many:
        assert len(_listed(admin_client.get(STANDINGS))) == 30

    assert len(many) == len(few)


# Block and unblock


def test_block_asks_for_a_reason_and_changes_nothing_until_confirmed(admin_client):
    standings = CreatorStandingFactory.create_batch(2)

    response = _act(admin_client, "block_creators", standings)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/moderation/creatorstanding/decision.html"
    assert {s.creator for s in response.context["queryset"]} == {s.creator for s in standings}
    assert not CreatorStanding.objects.filter(blocked=True).exists()
    assert not CreatorDecision.objects.exists()


def test_block_confirmed_without_a_reason_asks_again_and_changes_nothing(admin_client):
    standing = CreatorStandingFactory()

    response = _act(admin_client, "block_creators", [standing], post="yes", reason="  ")

    assert response.context["missing"] is True
    assert not CreatorStanding.objects.filter(blocked=True).exists()
    assert not CreatorDecision.objects.exists()


def test_block_confirmed_blocks_each_creator_records_who_and_why_and_stops_serving_them(admin_client, admin_user):
    items = [ContentItemFactory(), ContentItemFactory()]
    standings = [CreatorStandingFactory(creator=item.creator) for item in items]

    response = _act(admin_client, "block_creators", standings, post="yes", reason="counterfeit sneakers")

    assert _messages(response) == [("success", "2 creator(s) blocked.")]
    assert _state() == [(s.creator_id, True, "counterfeit sneakers", admin_user.pk) for s in standings]
    assert list(CreatorDecision.objects.order_by("pk").values_list("creator", "action", "reason", "by")) == [
        (s.creator_id, "block", "counterfeit sneakers", admin_user.pk) for s in standings
    ]
    assert not published().filter(pk__in=[item.pk for item in items]).exists()


def test_unblock_lifts_the_blocked_and_reports_the_ones_that_were_not(admin_client, admin_user):
    blocked_item = ContentItemFactory()
    blocker = UserFactory()
    blocked = creator_block(creator=blocked_item.creator, by=blocker, reason="spam")
    not_blocked = CreatorStandingFactory()
    before = _state()

    response = _act(admin_client, "unblock_creators", [blocked, not_blocked], post="yes", reason="appeal upheld")

    assert _messages(response) == [
        ("success", "1 creator(s) unblocked."),
        ("error", f"{not_blocked.creator} is not blocked."),
    ]
    assert _state() == [
        (blocked.creator_id, False, "appeal upheld", admin_user.pk),
        before[1],  # the refused one is untouched
    ]
    assert list(CreatorDecision.objects.order_by("pk").values_list("action", "by")) == [
        ("block", blocker.pk),
        ("unblock", admin_user.pk),
    ]
    assert published().filter(pk=blocked_item.pk).exists()


def test_unblock_needs_no_reason(admin_client):
    standing = creator_block(creator=CreatorFactory(), by=UserFactory(), reason="spam")

    _act(admin_client, "unblock_creators", [standing], post="yes", reason="")

    assert not CreatorStanding.objects.get().blocked


def test_add_blocks_a_creator_who_has_no_standing_yet(admin_client, admin_user):
    item = ContentItemFactory()
    form = admin_client.get(reverse("admin:moderation_creatorstanding_add")).context["adminform"].form
    assert list(form.fields) == ["creator", "reason"]

    response = admin_client.post(
        reverse("admin:moderation_creatorstanding_add"), {"creator": item.creator.pk, "reason": "scam links"}
    )

    assert response.status_code == 302
    standing = CreatorStanding.objects.get()
    assert (standing.creator, standing.blocked, standing.reason, standing.updated_by) == (
        item.creator,
        True,
        "scam links",
        admin_user,
    )
    assert CreatorDecision.objects.get().action == "block"
    assert not published().filter(pk=item.pk).exists()


def test_add_without_a_reason_is_refused(admin_client):
    creator = CreatorFactory()

    response = admin_client.post(reverse("admin:moderation_creatorstanding_add"), {"creator": creator.pk})

    assert response.status_code == 200
    assert "reason" in response.context["adminform"].form.errors
    assert not CreatorStanding.objects.exists()
    assert not CreatorDecision.objects.exists()


def test_a_standing_is_read_only_on_its_page_and_never_deleted(admin_client):
    standing = creator_block(creator=CreatorFactory(), by=UserFactory(), reason="spam")
    before = _state()
    change = reverse("admin:moderation_creatorstanding_change", args=[standing.pk])

    page = admin_client.get(change)
    posted = admin_client.post(change, {"blocked": "", "reason": "edited"})
    deleted = admin_client.post(reverse("admin:moderation_creatorstanding_delete", args=[standing.pk]), {"post": "yes"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert (posted.status_code, deleted.status_code) == (403, 403)
    assert _state() == before


# The audit


def test_decisions_are_listed_newest_first_and_cannot_be_added_changed_or_deleted(admin_client):
    creator = CreatorFactory(handle="glowlab")
    creator_block(creator=creator, by=UserFactory(), reason="spam")
    creator_block(creator=CreatorFactory(), by=UserFactory(), reason="fraud")
    first, second = CreatorDecision.objects.order_by("pk")

    listed = _listed(admin_client.get(DECISIONS))
    searched = _listed(admin_client.get(DECISIONS, {"q": "glowlab"}))
    added = admin_client.post(reverse("admin:moderation_creatordecision_add"), {"action": "unblock"})
    changed = admin_client.post(
        reverse("admin:moderation_creatordecision_change", args=[first.pk]), {"reason": "edited"}
    )

    assert listed == [second, first]
    assert searched == [first]
    assert (added.status_code, changed.status_code) == (403, 403)
    assert list(CreatorDecision.objects.order_by("pk").values_list("reason", flat=True)) == ["spam", "fraud"]
