"""Content's item and comment admins as moderation re-registers them: decisions with a reason, audited."""

import re

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from content.models import Comment, ContentItem
from moderation.models import AuditEntry, Case
from tests.factories import CaseFactory, CommentFactory, ContentItemFactory
from tests.moderation.queue.conftest import make_moderator

pytestmark = pytest.mark.django_db
Status = ContentItem.Status
ITEMS = reverse("admin:content_contentitem_changelist")
COMMENTS = reverse("admin:content_comment_changelist")


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in response.context["messages"]]


def _audit() -> list[tuple]:
    return list(
        AuditEntry.objects.order_by("pk").values_list(
            "actor_id", "action", "target_type", "target_id", "reason_code", "note"
        )
    )


def _act(client, url: str, action: str, rows, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [row.pk for row in rows], **extra}
    return client.post(url, data, follow="post" in extra)


def _actions(response) -> list[str]:
    form = response.context["action_form"]
    return [] if form is None else [name for name, _ in form.fields["action"].choices if name]


# Items: list actions


@pytest.mark.parametrize("action", ["publish", "reject", "remove"])
def test_an_item_decision_action_asks_for_a_reason_and_note_and_changes_nothing(moderator_client, action):
    item = ContentItemFactory(status=Status.PENDING, published_at=None)
    before = ContentItem.objects.values().get(pk=item.pk)

    response = _act(moderator_client, ITEMS, action, [item])

    assert response.templates[0].name == "admin/moderation/decide.html"
    assert ContentItem.objects.values().get(pk=item.pk) == before
    assert _audit() == []


@pytest.mark.parametrize(
    ("action", "code", "end", "audited", "said"),
    [
        ("publish", "ok", Status.PUBLISHED, "approve", "1 item published."),
        ("reject", "counterfeit", Status.REJECTED, "reject", "1 item rejected."),
        ("remove", "offensive", Status.REMOVED, "remove", "1 item removed."),
    ],
)
def test_an_item_decision_action_records_the_moderator_reason_and_note_and_closes_the_case(
    moderator_client, moderator, action, code, end, audited, said
):
    item = ContentItemFactory(status=Status.PENDING, published_at=None)
    case = CaseFactory(item=item)

    response = _act(moderator_client, ITEMS, action, [item], post="yes", reason_code=code, note="Checked the label")

    item.refresh_from_db()
    case.refresh_from_db()
    assert item.status == end
    assert (case.status, case.outcome, case.closed_by) == ("closed", audited, moderator)
    assert _audit() == [(moderator.pk, audited, "item", item.pk, code, "Checked the label")]
    assert _messages(response) == [("success", said)]


def test_an_item_rejection_without_a_rule_broken_is_refused_for_each_item(moderator_client):
    item = ContentItemFactory(status=Status.PENDING, published_at=None)
    before = ContentItem.objects.values().get(pk=item.pk)

    response = _act(moderator_client, ITEMS, "reject", [item], post="yes", reason_code="ok")

    assert ContentItem.objects.values().get(pk=item.pk) == before
    assert _messages(response) == [
        ("error", f"{item}: Say which rule was broken: “Within the rules” is no reason to reject.")
    ]
    assert _audit() == []


# Items: the item's page


def test_the_item_page_asks_a_reason_and_note_beside_the_decision_buttons(moderator_client):
    item = ContentItemFactory(status=Status.PENDING, published_at=None)

    html = moderator_client.get(reverse("admin:content_contentitem_change", args=[item.pk])).content.decode()

    assert '<select name="_review-reason_code" id="id__review-reason_code">' in html
    assert '<textarea name="_review-note"' in html
    assert re.findall(r'name="_review_step" value="(\w+)"', html) == ["publish", "reject", "remove"]


def test_a_decision_button_on_the_item_page_is_audited_with_its_reason_and_note(moderator_client, moderator):
    item = ContentItemFactory(status=Status.PENDING, published_at=None, caption="Hi")
    url = reverse("admin:content_contentitem_change", args=[item.pk])

    response = moderator_client.post(
        url,
        {
            "kind": "image",
            "source": "ugc",
            "creator": str(item.creator_id),
            "caption": "Hi",
            "product_links-TOTAL_FORMS": "0",
            "product_links-INITIAL_FORMS": "0",
            "_review_step": "reject",
            "_review-reason_code": "misleading",
            "_review-note": "Before/after photos are edited",
        },
        follow=True,
    )

    item.refresh_from_db()
    assert (item.status, item.status_reason) == (Status.REJECTED, "Misleading: Before/after photos are edited")
    assert _audit() == [(moderator.pk, "reject", "item", item.pk, "misleading", "Before/after photos are edited")]
    assert _messages(response) == [("success", f"{item} rejected.")]


def test_staff_who_may_change_items_but_not_review_get_no_decisions(client):
    editor = make_moderator("editor", [("content", "view_contentitem"), ("content", "change_contentitem")])
    client.force_login(editor)
    draft = ContentItemFactory(status=Status.DRAFT, published_at=None)
    pending = ContentItemFactory(status=Status.PENDING, published_at=None)
    before = ContentItem.objects.values().get(pk=pending.pk)

    page = client.get(reverse("admin:content_contentitem_change", args=[draft.pk])).content.decode()
    actions = _actions(client.get(ITEMS))
    forged = client.post(
        reverse("admin:content_contentitem_change", args=[pending.pk]),
        {
            "kind": "image",
            "source": "ugc",
            "creator": str(pending.creator_id),
            "caption": pending.caption,
            "product_links-TOTAL_FORMS": "0",
            "product_links-INITIAL_FORMS": "0",
            "_review_step": "publish",
            "_review-reason_code": "ok",
        },
        follow=True,
    )

    assert re.findall(r'name="_review_step" value="(\w+)"', page) == ["send_to_review"]
    assert actions == ["send_to_review", "retry_media"]
    assert _messages(forged) == [("error", f"{pending}: Deciding needs the permission to review cases.")]
    assert ContentItem.objects.values().get(pk=pending.pk) == before
    assert _audit() == []


# Comments


@pytest.mark.parametrize(
    ("action", "start", "code", "end", "reason", "audited", "said"),
    [
        ("hide_comments", "visible", "offensive", "hidden", "offensive", "hide", "1 comment hidden."),
        ("show_comments", "hidden", "ok", "visible", "", "approve", "1 comment shown."),
        ("remove_comments", "visible", "spam", "hidden", "removed", "remove", "1 comment removed."),
    ],
)
def test_a_comment_decision_action_asks_then_is_audited(
    moderator_client, moderator, action, start, code, end, reason, audited, said
):
    comment = CommentFactory(status=start)
    asked = _act(moderator_client, COMMENTS, action, [comment])
    asked_state = Comment.objects.values_list("status", flat=True).get(pk=comment.pk)

    response = _act(moderator_client, COMMENTS, action, [comment], post="yes", reason_code=code, note="n")

    comment.refresh_from_db()
    assert asked.templates[0].name == "admin/moderation/decide.html"
    assert asked_state == start
    assert (comment.status, comment.moderation_reason) == (end, reason)
    assert _audit() == [(moderator.pk, audited, "comment", comment.pk, code, "n")]
    assert _messages(response) == [("success", said)]


def test_staff_who_may_change_comments_but_not_review_get_no_comment_actions(client):
    client.force_login(make_moderator("editor", [("content", "view_comment"), ("content", "change_comment")]))
    comment = CommentFactory()

    refused = _act(client, COMMENTS, "hide_comments", [comment], post="yes", reason_code="spam")

    assert _actions(client.get(COMMENTS)) == []
    assert refused.context["action_form"] is None
    assert Comment.objects.values_list("status", flat=True).get(pk=comment.pk) == "visible"
    assert _audit() == []


def test_a_comment_someone_else_is_reviewing_is_skipped(moderator_client, other_moderator):
    comment = CommentFactory()
    case = CaseFactory(item=None, comment=comment)
    Case.objects.filter(pk=case.pk).update(claimed_by=other_moderator, claimed_until="2999-01-01T00:00:00Z")

    response = _act(moderator_client, COMMENTS, "hide_comments", [comment], post="yes", reason_code="spam")

    [(level, text)] = _messages(response)
    assert (level, text.startswith(f"{comment}: Case {case.pk} is being reviewed by other until")) == ("error", True)
    assert Comment.objects.values_list("status", flat=True).get(pk=comment.pk) == "visible"
    assert _audit() == []
