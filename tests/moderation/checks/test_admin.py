import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse

from moderation.checks import classifier_active, classifier_train
from moderation.models import AuditEntry, ClassifierVersion, Rule, Screening
from tests.factories import ContentItemFactory, RuleFactory, UserFactory

pytestmark = pytest.mark.django_db

RULES = reverse("admin:moderation_rule_changelist")
ADD_RULE = reverse("admin:moderation_rule_add")
VERSIONS = reverse("admin:moderation_classifierversion_changelist")
SCREENINGS = reverse("admin:moderation_screening_changelist")


def rule_form(**changes) -> dict:
    form = {
        "name": "No tarot",
        "kind": "pattern",
        "parameter": r"(?i)\btarot\b",
        "threshold": "",
        "action": "reject",
        "score": "0.6",
        "on_captions": "on",
        "on_comments": "on",
        "message": "No fortune telling here.",
        "enabled": "on",
    }
    return {**form, **changes}


def rule_audits() -> list[tuple]:
    return list(
        AuditEntry.objects.filter(target_type="rule").order_by("pk").values_list("actor_name", "action", "data")
    )


def test_rules_are_listed_with_kind_action_score_and_what_they_apply_to(admin_client):
    response = admin_client.get(RULES)

    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert [rule.name for rule in listed] == list(Rule.objects.order_by("name").values_list("name", flat=True))
    assert "captions, comments, profiles" in response.content.decode()


def test_creating_a_rule_is_audited_with_what_it_is(admin_client, admin_user):
    response = admin_client.post(ADD_RULE, rule_form())

    assert response.status_code == 302
    rule = Rule.objects.get(name="No tarot")
    assert rule.updated_by == admin_user
    [(actor, action, data)] = rule_audits()
    assert (actor, action, data["before"]) == (admin_user.username, "rule_create", None)
    assert (data["after"]["parameter"], data["after"]["action"]) == (r"(?i)\btarot\b", "reject")


def test_changing_a_rule_is_audited_with_before_and_after(admin_client):
    rule = RuleFactory(name="No tarot", kind="pattern", parameter="tarot", action="hold")

    admin_client.post(reverse("admin:moderation_rule_change", args=[rule.pk]), rule_form(action="reject"))

    [(_, action, data)] = rule_audits()
    assert action == "rule_change"
    assert (data["before"]["action"], data["after"]["action"]) == ("hold", "reject")
    assert (data["before"]["parameter"], data["after"]["parameter"]) == ("tarot", r"(?i)\btarot\b")


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"parameter": "(unclosed"},
            "parameter",
            "Not a valid regular expression: missing ), unterminated subpattern at position 0.",
        ),
        ({"kind": "shouting", "threshold": "7"}, "threshold", "A share between 0 and 1 (e.g. 0.7)."),
        (
            {"kind": "repeat", "parameter": "an hour", "threshold": "2"},
            "parameter",
            "The window in minutes, a whole number above 0.",
        ),
    ],
)
def test_a_rule_that_could_not_run_is_refused_by_the_form_and_nothing_changes(admin_client, changes, field, error):
    rule = RuleFactory(name="No tarot", kind="pattern", parameter="tarot")
    before = list(Rule.objects.order_by("pk").values())

    response = admin_client.post(reverse("admin:moderation_rule_change", args=[rule.pk]), rule_form(**changes))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [error]
    assert list(Rule.objects.order_by("pk").values()) == before
    assert rule_audits() == []


def test_deleting_rules_one_or_in_bulk_is_audited_with_what_they_were(admin_client, admin_user):
    one, two, three = RuleFactory(name="one"), RuleFactory(name="two"), RuleFactory(name="three")

    admin_client.post(reverse("admin:moderation_rule_delete", args=[one.pk]), {"post": "yes"})
    admin_client.post(
        RULES, {"action": "delete_selected", "post": "yes", helpers.ACTION_CHECKBOX_NAME: [two.pk, three.pk]}
    )

    assert not Rule.objects.filter(name__in=["one", "two", "three"]).exists()
    audits = rule_audits()
    assert [(actor, action, data["before"]["name"], data["after"]) for actor, action, data in audits] == [
        (admin_user.username, "rule_delete", "one", None),
        (admin_user.username, "rule_delete", "two", None),
        (admin_user.username, "rule_delete", "three", None),
    ]


def test_versions_are_listed_with_precision_and_recall_and_their_pages_are_read_only(admin_client):
    version = classifier_active()

    listed = admin_client.get(VERSIONS)
    page = admin_client.get(reverse("admin:moderation_classifierversion_change", args=[version.pk]))

    assert list(listed.context["cl"].result_list) == [version]
    assert f"{version.precision:.3f}" in listed.content.decode()
    assert page.context["has_change_permission"] is False
    assert admin_client.get(reverse("admin:moderation_classifierversion_add")).status_code == 403


def test_a_moderator_activates_a_version_from_the_list_audited(admin_client, admin_user):
    seed = classifier_active()
    other = classifier_train(source=ClassifierVersion.Source.DECISIONS)
    ClassifierVersion.objects.filter(pk=other.pk).update(active=False)
    ClassifierVersion.objects.filter(pk=seed.pk).update(active=True)

    admin_client.post(VERSIONS, {"action": "activate", helpers.ACTION_CHECKBOX_NAME: [other.pk]})

    assert ClassifierVersion.objects.get(active=True) == other
    last = AuditEntry.objects.filter(action="classifier_activate").first()
    assert (last.actor, last.target_id, last.note) == (admin_user, other.pk, "Activated by a moderator in admin.")


def test_activating_needs_exactly_one_version_and_changes_nothing_otherwise(admin_client):
    seed = classifier_active()
    other = classifier_train(source=ClassifierVersion.Source.DECISIONS)
    active = ClassifierVersion.objects.get(active=True)
    audits = AuditEntry.objects.count()

    response = admin_client.post(
        VERSIONS, {"action": "activate", helpers.ACTION_CHECKBOX_NAME: [seed.pk, other.pk]}, follow=True
    )

    messages = [m.message for m in response.context["messages"]]
    assert messages == ["Select exactly one version to activate."]
    assert (ClassifierVersion.objects.get(active=True), AuditEntry.objects.count()) == (active, audits)


def test_retrain_now_trains_a_version(admin_client, eager_celery, django_capture_on_commit_callbacks):
    seed = classifier_active()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(VERSIONS, {"action": "retrain_now", helpers.ACTION_CHECKBOX_NAME: [seed.pk]})

    assert list(ClassifierVersion.objects.values_list("version", "source")) == [(2, "decisions"), (1, "seed")]


def test_a_user_without_the_change_permission_cannot_activate(client):
    seed = classifier_active()
    other = classifier_train(source=ClassifierVersion.Source.DECISIONS)
    ClassifierVersion.objects.filter(pk=other.pk).update(active=False)
    ClassifierVersion.objects.filter(pk=seed.pk).update(active=True)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_classifierversion"))
    client.force_login(viewer)

    response = client.post(VERSIONS, {"action": "activate", helpers.ACTION_CHECKBOX_NAME: [other.pk]})

    assert response.context["action_form"] is None  # no action is offered to a viewer
    assert ClassifierVersion.objects.get(active=True) == seed


def test_screenings_are_read_only_and_filter_by_outcome_and_subject(admin_client):
    classifier_active()
    item = ContentItemFactory()
    held = Screening.objects.create(
        subject="item",
        item=item,
        outcome="hold",
        risk=0.6,
        checks=[
            {
                "check": "Several links",
                "kind": "links",
                "part": "caption",
                "score": 0.6,
                "reason": "Has 2 links (more than 1).",
                "outcome": "hold",
            }
        ],
    )
    Screening.objects.create(subject="item", item=item, outcome="allow", checks=[])

    response = admin_client.get(SCREENINGS, {"outcome": "hold", "subject": "item"})

    assert list(response.context["cl"].result_list) == [held]
    assert "Several links: Has 2 links (more than 1)." in response.content.decode()
    assert admin_client.get(reverse("admin:moderation_screening_add")).status_code == 403
