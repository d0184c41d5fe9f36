import pytest
from django.urls import reverse

from moderation.models import AuditEntry
from moderation.queue.decisions import item_reject, item_remove
from tests.factories import ContentItemFactory
from tests.moderation.queue.conftest import make_moderator

pytestmark = pytest.mark.django_db
LOG = reverse("admin:moderation_auditentry_changelist")


def _listed(response) -> list[AuditEntry]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _two_decisions(moderator, other_moderator) -> tuple[AuditEntry, AuditEntry]:
    first = ContentItemFactory(status="pending_review", published_at=None, caption="Replica watch")
    second = ContentItemFactory(caption="Sunset look")
    item_reject(item=first, by=moderator, reason_code="counterfeit")
    item_remove(item=second, by=other_moderator, reason_code="spam")
    return AuditEntry.objects.get(action="reject"), AuditEntry.objects.get(action="remove")


def test_the_audit_log_lists_newest_first_with_who_what_and_why(moderator_client, moderator, other_moderator):
    rejected, removed = _two_decisions(moderator, other_moderator)

    response = moderator_client.get(LOG)

    assert _listed(response) == [removed, rejected]
    assert '<td class="field-reason_code">Counterfeit</td>' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "other"}, ["remove"]),
        ({"action__exact": "reject"}, ["reject"]),
        ({"target_type__exact": "item"}, ["remove", "reject"]),
        ("actor", ["reject"]),
    ],
)
def test_the_audit_log_is_searchable_and_filterable(moderator_client, moderator, other_moderator, params, expected):
    _two_decisions(moderator, other_moderator)
    if params == "actor":
        params = {"actor__id__exact": str(moderator.pk)}

    assert [entry.action for entry in _listed(moderator_client.get(LOG, params))] == expected


def test_nobody_adds_changes_or_deletes_audit_entries_in_admin(admin_client, moderator, other_moderator):
    rejected, _ = _two_decisions(moderator, other_moderator)
    change = reverse("admin:moderation_auditentry_change", args=[rejected.pk])
    before = list(AuditEntry.objects.values())

    page = admin_client.get(change)
    added = admin_client.post(reverse("admin:moderation_auditentry_add"), {"action": "approve"})
    changed = admin_client.post(change, {"note": "rewritten"})
    deleted = admin_client.post(reverse("admin:moderation_auditentry_delete", args=[rejected.pk]), {"post": "yes"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert admin_client.get(LOG).context["action_form"] is None
    assert list(AuditEntry.objects.values()) == before


@pytest.mark.parametrize(
    ("permissions", "allowed"),
    [
        ([("moderation", "view_audit_log")], True),
        ([("moderation", "view_auditentry")], True),
        ([("moderation", "review_case")], False),
    ],
)
def test_reading_the_audit_log_needs_its_permission(client, permissions, allowed):
    client.force_login(make_moderator("reader", permissions))

    assert client.get(LOG).status_code == (200 if allowed else 403)
