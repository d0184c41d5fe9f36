import re
from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.models import ContentItem, ContentMedia
from moderation.models import AuditEntry, Case, Report
from tests.factories import (
    AppealFactory,
    CaseFactory,
    CommentFactory,
    ContentItemFactory,
    CreatorFactory,
    CreatorStandingFactory,
    ProductFactory,
    ReportFactory,
    ScreeningFactory,
)
from tests.moderation.queue.conftest import make_moderator

pytestmark = pytest.mark.django_db
Status = ContentItem.Status
QUEUE = reverse("admin:moderation_case_changelist")
NEXT = reverse("admin:moderation_case_next")


def _page(case: Case) -> str:
    return reverse("admin:moderation_case_change", args=[case.pk])


def _decide_url(case: Case) -> str:
    return reverse("admin:moderation_case_decide", args=[case.pk])


def _listed(response) -> list[Case]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in response.context["messages"]]


def _held(case: Case, by, minutes: float = 5) -> Case:
    Case.objects.filter(pk=case.pk).update(claimed_by=by, claimed_until=timezone.now() + timedelta(minutes=minutes))
    case.refresh_from_db()
    return case


def _state() -> tuple:
    return (
        list(Case.objects.order_by("pk").values()),
        list(ContentItem.objects.order_by("pk").values("pk", "status", "status_reason")),
        list(Report.objects.order_by("pk").values_list("pk", "status")),
        list(AuditEntry.objects.order_by("pk").values_list("action", "target_type", "target_id")),
    )


# The queue


def test_the_queue_lists_open_cases_by_priority_then_age(moderator_client):
    now = timezone.now()
    reported = CaseFactory(risk=0.3, reports=2, priority=1.1)
    newer = CaseFactory(priority=0.5, opened_at=now - timedelta(minutes=5))
    older = CaseFactory(priority=0.5, opened_at=now - timedelta(hours=3))
    CaseFactory(priority=2.0, status=Case.Status.CLOSED)

    assert _listed(moderator_client.get(QUEUE)) == [reported, older, newer]


def test_the_queue_shows_target_why_risk_reports_age_and_who_holds_each_case(moderator_client, other_moderator):
    item = ContentItemFactory(
        status=Status.PENDING, published_at=None, caption="Replica bags cheap", poster="posters/bag.jpg"
    )
    case = _held(CaseFactory(item=item, risk=0.72, reports=3, priority=1.92, why=Case.Why.REPORTED), other_moderator)
    until = timezone.localtime(case.claimed_until).strftime("%H:%M")

    response = moderator_client.get(QUEUE)

    html = response.content.decode()
    assert "<h1>Review queue</h1>" in html
    row = re.search(r"<tr>.*?</tr>", html.split("<tbody>")[1], re.S).group(0)
    assert '<img src="/media/posters/bag.jpg" alt="" width="48" height="48" class="admin-thumbnail">' in row
    assert f"Image #{item.pk} · Replica bags cheap" in row
    assert '<td class="field-why">Reported by shoppers</td>' in row
    assert '<td class="field-priority_shown">1.92</td>' in row
    assert '<td class="field-risk_shown">0.72</td>' in row
    assert '<td class="field-reports">3</td>' in row
    assert f'<td class="field-claimed">other until {until}</td>' in row
    assert '<td class="field-age">0\xa0minutes</td>' in row


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"claimed": "mine"}, {"mine"}),
        ({"claimed": "unclaimed"}, {"free", "expired", "comment"}),
        ({"claimed": "others"}, {"theirs"}),
        ({"why__exact": "held"}, {"mine", "free", "theirs", "expired"}),
        ({"why__exact": "reported"}, {"comment"}),
        ({"state": "closed"}, {"closed"}),
        ({"state": "all"}, {"mine", "free", "theirs", "expired", "comment", "closed"}),
    ],
)
def test_the_queue_filters(moderator_client, moderator, other_moderator, params, expected):
    cases = {
        "mine": _held(CaseFactory(), moderator),
        "theirs": _held(CaseFactory(), other_moderator),
        "expired": _held(CaseFactory(), other_moderator, minutes=-1),
        "free": CaseFactory(),
        "comment": CaseFactory(item=None, comment=CommentFactory(), why=Case.Why.REPORTED),
        "closed": CaseFactory(status=Case.Status.CLOSED),
    }

    listed = _listed(moderator_client.get(QUEUE, params))

    assert {name for name, case in cases.items() if case in listed} == expected


# The case page


def test_opening_a_case_claims_it_and_shows_everything_needed_to_decide(moderator_client, moderator):
    item = ContentItemFactory(
        kind=ContentItem.Kind.VIDEO,
        status=Status.PENDING,
        published_at=None,
        caption="Genuine leather, 90% off",
        products=[ProductFactory(title="Tote bag")],
    )
    ContentMedia.objects.create(
        item=item, kind="video", original_type="video/mp4", file="media/clip.mp4", poster="posters/clip.jpg"
    )
    ContentMedia.objects.create(item=item, position=1, kind="image", original_type="image/jpeg", file="media/back.webp")
    CreatorStandingFactory(creator=item.creator, reputation=0.31, items_judged=4, items_removed=2)
    ScreeningFactory(item=item)
    case = CaseFactory(item=item, risk=0.7, reports=1)
    ReportFactory(item=item, case=case, reason="counterfeit", note="Fake logo", trust=0.8)
    AuditEntry.objects.create(
        at=timezone.now(),
        actor_name="earlier",
        action="hide",
        target_type="item",
        target_id=item.pk,
        target_repr="x",
        reason_code="misleading",
        note="Price claim checked",
    )

    response = moderator_client.get(_page(case))

    html = response.content.decode()
    case.refresh_from_db()
    assert case.claimed_by == moderator
    assert (
        '<video class="case-video" controls preload="metadata" src="/media/media/clip.mp4" '
        'poster="/media/posters/clip.jpg"></video>'
    ) in html
    assert f'<img class="case-image" src="/media/media/back.webp" alt="Media 2 of Video #{item.pk}">' in html
    assert "Genuine leather, 90% off" in html
    assert "Tote bag · 19.90 EUR" in html
    assert "<td>Banned terms</td><td>0.70</td><td>hold</td><td>says “replica”</td>" in html
    assert "<td>Counterfeit</td><td>Fake logo</td><td>0.80</td><td>Open</td>" in html
    assert "Reputation 0.31" in html
    assert "2 of 4 items removed" in html
    assert "<td>earlier</td><td>Hide</td><td>Misleading</td><td>Price claim checked</td>" in html
    buttons = re.findall(r'<button type="submit" name="decision" value="(\w+)" class="button" data-key="(\w)">', html)
    assert buttons == [("approve", "a"), ("reject", "r"), ("remove", "x")]
    assert f'data-key="n" href="/admin/moderation/case/next/?skip={case.pk}"' in html
    assert '<script src="/static/js/admin/queue.js" defer></script>' in html
    assert "<kbd>a</kbd> approve · <kbd>r</kbd> reject · <kbd>x</kbd> remove · <kbd>n</kbd> next case" in html


@pytest.mark.parametrize(
    ("status", "buttons"),
    [(Status.PUBLISHED, ["hide", "remove"]), (Status.HIDDEN, ["approve", "remove"]), (Status.REMOVED, [])],
)
def test_the_case_page_offers_what_the_items_workflow_allows(moderator_client, status, buttons):
    case = CaseFactory(item=ContentItemFactory(status=status))

    html = moderator_client.get(_page(case)).content.decode()

    assert re.findall(r'name="decision" value="(\w+)"', html) == buttons


@pytest.mark.parametrize(
    ("target", "buttons"),
    [("comment", ["approve", "hide", "remove"]), ("removed comment", []), ("creator", ["approve", "block"])],
)
def test_the_case_page_of_a_comment_or_a_profile(moderator_client, target, buttons):
    if target.endswith("comment"):
        reason = "removed" if target == "removed comment" else ""
        comment = CommentFactory(body="Buy followers at spam.example", moderation_reason=reason)
        case = CaseFactory(item=None, comment=comment)
        shown = "Buy followers at spam.example"
    else:
        case = CaseFactory(item=None, creator=CreatorFactory(handle="mira", bio="DM for replicas"))
        shown = "DM for replicas"

    html = moderator_client.get(_page(case)).content.decode()

    assert shown in html
    assert re.findall(r'name="decision" value="(\w+)"', html) == buttons


def test_a_case_someone_else_holds_is_shown_without_decisions_and_stays_theirs(moderator_client, other_moderator):
    case = _held(CaseFactory(), other_moderator)
    before = _state()

    response = moderator_client.get(_page(case))

    assert response.status_code == 200
    assert 'name="decision"' not in response.content.decode()
    [(level, text)] = _messages(response)
    assert (level, text.startswith(f"Case {case.pk} is being reviewed by other until ")) == ("warning", True)
    assert _state() == before


# Deciding from the case page


def test_a_decision_from_the_case_page_is_taken_audited_and_the_next_case_opens(moderator_client, moderator):
    case = CaseFactory(priority=0.9)
    following = CaseFactory(priority=0.2)
    moderator_client.get(_page(case))

    response = moderator_client.post(
        _decide_url(case), {"decision": "reject", "reason_code": "spam", "note": "Link farm"}, follow=True
    )

    case.refresh_from_db()
    case.item.refresh_from_db()
    assert (case.status, case.outcome, case.item.status, case.item.status_reason) == (
        "closed",
        "reject",
        Status.REJECTED,
        "Spam: Link farm",
    )
    assert response.redirect_chain == [(f"{NEXT}?skip={case.pk}", 302), (_page(following), 302)]
    assert _messages(response) == [("success", f"{case}: rejected.")]
    assert list(AuditEntry.objects.filter(action="reject").values_list("actor", "reason_code", "note")) == [
        (moderator.pk, "spam", "Link farm")
    ]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"decision": "reject", "reason_code": "ok"}, "Say which rule was broken"),
        ({"decision": "block", "reason_code": "spam"}, "“block” is not a decision for"),
        ({"decision": "reject", "reason_code": "rude"}, "Nothing was decided: reason_code: Select a valid choice."),
    ],
)
def test_a_refused_decision_from_the_case_page_changes_nothing_and_says_why(moderator_client, data, said):
    case = CaseFactory()
    moderator_client.get(_page(case))
    before = _state()

    response = moderator_client.post(_decide_url(case), data)

    assert response.url == _page(case)
    assert _state() == before
    [(level, text)] = _messages(moderator_client.get(response.url))
    assert level == "error"
    assert said in text


def test_a_decision_on_a_case_someone_else_holds_is_refused(moderator_client, other_moderator):
    case = _held(CaseFactory(), other_moderator)
    before = _state()

    response = moderator_client.post(_decide_url(case), {"decision": "approve", "reason_code": "ok"}, follow=True)

    assert _messages(response)[0][0] == "error"
    assert "is being reviewed by other until" in _messages(response)[0][1]
    assert _state() == before


def test_next_case_opens_the_first_case_one_may_take_or_says_the_queue_is_empty(moderator_client, moderator):
    case = CaseFactory()

    first = moderator_client.get(NEXT)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    empty = moderator_client.get(NEXT, follow=True)

    assert first.url == _page(case)
    assert Case.objects.get(pk=case.pk).claimed_by == moderator
    assert empty.redirect_chain == [(QUEUE, 302)]
    assert _messages(empty) == [("success", "Nothing left in the queue for you.")]


def test_releasing_from_the_case_page(moderator_client):
    case = CaseFactory()
    moderator_client.get(_page(case))

    response = moderator_client.post(reverse("admin:moderation_case_release", args=[case.pk]), follow=True)

    case.refresh_from_db()
    assert case.claimed_by is None
    assert _messages(response) == [("success", f"{case} released.")]


# Bulk decisions


def _bulk(client, action: str, cases, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [c.pk for c in cases], **extra}
    return client.post(QUEUE, data, follow="post" in extra)


def test_a_bulk_decision_asks_for_the_reason_first_and_changes_nothing(moderator_client):
    cases = CaseFactory.create_batch(2)
    before = _state()

    response = _bulk(moderator_client, "reject_cases", cases)

    assert response.templates[0].name == "admin/moderation/decide.html"
    assert set(response.context["queryset"]) == set(cases)
    assert _state() == before


def test_a_bulk_decision_decides_each_case_and_skips_those_someone_else_holds(moderator_client, other_moderator):
    free = CaseFactory.create_batch(2)
    theirs = _held(CaseFactory(), other_moderator)
    theirs_before = (Case.objects.values().get(pk=theirs.pk), ContentItem.objects.values().get(pk=theirs.item_id))

    response = _bulk(
        moderator_client, "remove_cases", [*free, theirs], post="yes", reason_code="counterfeit", note="Replicas"
    )

    assert [(c.status, c.outcome) for c in Case.objects.filter(pk__in=[c.pk for c in free])] == [
        ("closed", "remove"),
        ("closed", "remove"),
    ]
    assert set(ContentItem.objects.filter(cases__in=free).values_list("status", "status_reason")) == {
        (Status.REMOVED, "Counterfeit: Replicas")
    }
    assert (Case.objects.values().get(pk=theirs.pk), ContentItem.objects.values().get(pk=theirs.item_id)) == (
        theirs_before
    )
    [done, skipped] = _messages(response)
    assert done == ("success", "2 cases removed.")
    assert skipped[0] == "error"
    assert skipped[1].startswith(f"{theirs}: Case {theirs.pk} is being reviewed by other until ")


def test_a_bulk_rejection_without_a_reason_asks_again_and_changes_nothing(moderator_client):
    cases = CaseFactory.create_batch(2)
    before = _state()

    response = _bulk(moderator_client, "reject_cases", cases, post="yes", reason_code="", note="")

    assert response.context["form"].errors == {"reason_code": ["This field is required."]}
    assert _state() == before


# Permissions


def test_staff_who_may_only_view_cases_see_the_queue_but_cannot_claim_or_decide(client):
    viewer = make_moderator("viewer", [("moderation", "view_case")])
    client.force_login(viewer)
    case = CaseFactory()
    before = _state()

    queue = client.get(QUEUE)
    page = client.get(_page(case))
    decided = client.post(_decide_url(case), {"decision": "approve", "reason_code": "ok"})
    following = client.get(NEXT)
    bulk = _bulk(client, "approve_cases", [case], post="yes", reason_code="ok")

    assert _listed(queue) == [case]
    assert queue.context["action_form"] is None
    assert 'name="decision"' not in page.content.decode()
    assert (decided.status_code, following.status_code) == (403, 403)
    assert bulk.context["action_form"] is None
    assert _state() == before


def test_staff_without_any_case_permission_cannot_open_the_queue(client):
    client.force_login(make_moderator("nobody", [("content", "view_contentitem")]))
    case = CaseFactory()

    assert client.get(QUEUE).status_code == 403
    assert client.get(_page(case)).status_code == 403
    assert Case.objects.get(pk=case.pk).claimed_by is None


def test_the_queue_query_count_does_not_grow_with_rows(moderator_client, other_moderator):
    def build() -> None:
        _held(CaseFactory(item=ContentItemFactory(poster="posters/p.jpg")), other_moderator)
        CaseFactory(item=None, comment=CommentFactory())
        CaseFactory(item=None, creator=CreatorFactory())

    build()
    moderator_client.get(QUEUE)  # warms the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        moderator_client.get(QUEUE)
    for _ in range(9):
        build()
    with CaptureQueriesContext(connection) as many:
        assert len(_listed(moderator_client.get(QUEUE))) == 30

    assert len(many) == len(few)


def test_the_case_page_query_count_does_not_grow_with_evidence(moderator_client):
    def case_with(n: int) -> Case:
        item = ContentItemFactory(status=Status.PENDING, published_at=None, products=ProductFactory.create_batch(n))
        case = CaseFactory(item=item)
        for position in range(n):
            ReportFactory(item=item, case=case)
            ContentMedia.objects.create(
                item=item, position=position, kind="image", original_type="image/jpeg", file="m/a.jpg"
            )
        return case

    small, large = case_with(1), case_with(8)
    moderator_client.get(_page(small))
    moderator_client.get(_page(large))  # both claimed already: the next visits renew, the same for each
    with CaptureQueriesContext(connection) as few:
        moderator_client.get(_page(small))
    with CaptureQueriesContext(connection) as many:
        moderator_client.get(_page(large))

    assert len(many) == len(few)


def test_an_appeal_case_shows_the_appeal_and_is_granted_or_denied_from_its_page(moderator_client, other_moderator):
    appeal = AppealFactory(contested_by=other_moderator, message="It is my own photo of the bag.")
    case = CaseFactory(item=appeal.item, why=Case.Why.APPEAL, not_for=other_moderator)

    html = moderator_client.get(_page(case)).content.decode()
    moderator_client.post(_decide_url(case), {"decision": "deny", "reason_code": "ok", "note": "The logo is fake"})

    assert "It is my own photo of the bag." in html
    assert re.findall(r'name="decision" value="(\w+)"', html) == ["grant", "deny"]
    appeal.refresh_from_db()
    assert (appeal.status, appeal.response) == ("denied", "The logo is fake")


def test_the_moderator_an_appeal_contests_cannot_take_it(moderator_client, moderator):
    appeal = AppealFactory(contested_by=moderator)
    case = CaseFactory(item=appeal.item, why=Case.Why.APPEAL, not_for=moderator)
    before = _state()

    response = moderator_client.get(_page(case))

    assert 'name="decision"' not in response.content.decode()
    assert _messages(response) == [
        ("warning", f"Case {case.pk} contests your own decision: another moderator must review it.")
    ]
    assert moderator_client.get(NEXT, follow=True).redirect_chain == [(QUEUE, 302)]
    assert _state() == before
