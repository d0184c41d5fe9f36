"""The permission matrix of the admin: which roles open each model admin's list, are offered each
of its actions, and open each custom admin page; refused actions change nothing; each custom
permission is what opens its action.

The tables below are the expectations (admins and superusers may do everything). Every registered
model admin, admin action and custom admin page must appear in them: a new one fails
``test_the_admin_tables_cover_every_model_admin_and_action`` until its row says who may use it.
The API's matrix is ``test_api_permissions.py``; the users are made by ``tests.moderation.actors``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin, messages
from django.contrib.auth.models import Permission, User
from django.urls import URLPattern, reverse

from content.models import Comment, ContentItem, Creator
from experiments.models import Experiment
from feedsite.roles import Role
from moderation.models import CreatorStanding
from profiles.models import Shopper
from profiles.services import account_create
from ranking.models import MixPolicy, RankerModel
from tests.factories import (
    CaseFactory,
    ContentItemFactory,
    CreatorFactory,
    ExperimentFactory,
    UserFactory,
    VariantFactory,
)
from tests.moderation.actors import ROLES, SUPERUSER, actor_make, role_of

pytestmark = pytest.mark.django_db

MOD = frozenset({Role.MODERATORS.value})
MKT = frozenset({Role.MARKETERS.value})
NOBODY: frozenset[str] = frozenset()
EVERY_ADMIN = frozenset({Role.ADMINS.value, SUPERUSER})

# Who, besides admins and superusers, may open each registered model admin's list.
ADMIN_VIEWS: dict[str, frozenset[str]] = {
    "auth.group": NOBODY,
    "auth.user": NOBODY,
    "authtoken.tokenproxy": NOBODY,
    "axes.accessattempt": NOBODY,
    "axes.accesslog": NOBODY,
    "axes.accessfailurelog": NOBODY,
    "content.brand": MOD | MKT,
    "content.creator": MOD | MKT,
    "content.product": MOD | MKT,
    "content.comment": MOD,
    "content.contentitem": MOD | MKT,
    "content.tag": MOD | MKT,
    "profiles.shopper": MOD,
    "profiles.consentrecord": NOBODY,
    "profiles.interest": NOBODY,
    "profiles.follow": NOBODY,
    "profiles.like": NOBODY,
    "events.interaction": NOBODY,
    "shop.cart": NOBODY,
    "shop.order": NOBODY,
    "messaging.message": NOBODY,
    "shop.stockalert": NOBODY,
    "ranking.feedrequest": MKT,
    "ranking.mixpolicy": MKT,
    "ranking.rankermodel": MKT,
    "moderation.creatorstanding": MOD,
    "moderation.creatordecision": MOD,
    "moderation.auditentry": MOD,
    "moderation.case": MOD,
    "moderation.shoppertrust": MOD,
    "moderation.rule": MOD,
    "moderation.screening": MOD,
    "moderation.classifierversion": MOD,
    "experiments.experiment": MKT,
    "experiments.layer": MKT,
    "experiments.holdout": MKT,
    # The KPI dashboard (its changelist): whoever may view experiments.
    "kpis.kpiday": MKT,
    # Shopper segments and their recomputations (read-only).
    "segments.segment": MKT,
    "segments.segmentrun": MKT,
}

# Who, besides admins and superusers, is offered each admin action ("app.model.action").
ADMIN_ACTIONS: dict[str, frozenset[str]] = {
    "auth.group.delete_selected": NOBODY,
    "auth.user.delete_selected": NOBODY,
    "axes.accessattempt.cleanup_expired_attempts": NOBODY,
    "axes.accessattempt.delete_selected": NOBODY,
    "axes.accesslog.delete_selected": NOBODY,
    "axes.accessfailurelog.delete_selected": NOBODY,
    "content.brand.delete_selected": NOBODY,
    "content.creator.approve": MOD,
    "content.creator.decline": MOD,
    "content.creator.delete_selected": NOBODY,
    "content.product.delete_selected": NOBODY,
    "content.comment.hide_comments": MOD,
    "content.comment.show_comments": MOD,
    "content.comment.remove_comments": MOD,
    "content.comment.delete_selected": NOBODY,
    "content.contentitem.publish": MOD,
    "content.contentitem.reject": MOD,
    "content.contentitem.remove": MOD,
    "content.contentitem.send_to_review": MOD,
    "content.contentitem.retry_media": MOD,
    "content.tag.merge_into": NOBODY,
    "content.tag.delete_selected": NOBODY,
    "profiles.shopper.export_shopper_data": NOBODY,
    "profiles.shopper.erase_shoppers": NOBODY,
    "profiles.interest.delete_selected": NOBODY,
    "profiles.follow.delete_selected": NOBODY,
    "ranking.mixpolicy.delete_selected": MKT,
    "ranking.rankermodel.activate_model": NOBODY,
    "ranking.rankermodel.rollback_model": NOBODY,
    "ranking.rankermodel.delete_selected": NOBODY,
    "moderation.creatorstanding.block_creators": MOD,
    "moderation.creatorstanding.unblock_creators": MOD,
    "moderation.creatorstanding.override_reputations": MOD,
    "moderation.creatorstanding.clear_reputation_overrides": MOD,
    "moderation.shoppertrust.override_trust": MOD,
    "moderation.shoppertrust.clear_trust_overrides": MOD,
    "moderation.case.approve_cases": MOD,
    "moderation.rule.delete_selected": NOBODY,
    "moderation.classifierversion.activate": NOBODY,
    "moderation.classifierversion.retrain_now": NOBODY,
    "moderation.case.reject_cases": MOD,
    "moderation.case.remove_cases": MOD,
    "experiments.experiment.start_experiments": MKT,
    "experiments.experiment.stop_experiments": MKT,
    "experiments.layer.delete_selected": NOBODY,
}


@dataclass(frozen=True)
class Page:
    """A custom admin page: how to build its address, who besides admins and superusers may use
    it, and the request (a POST-only page is tried with a POST, ``data`` its body) with the
    status it answers those who may."""

    address: Callable[[], str]
    roles: frozenset[str]
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    allowed: int = 200


# Admin pages a model admin adds (``get_urls``) beyond its list, add, change, delete and history
# pages, by URL name.
def _variant_preview_url() -> str:
    variant = VariantFactory(is_control=True)
    return reverse("admin:experiments_experiment_preview", args=[variant.experiment_id]) + f"?variant={variant.pk}"


ADMIN_PAGES: dict[str, Page] = {
    "ranking_preview": Page(lambda: reverse("admin:ranking_preview"), MKT),
    "experiments_experiment_results": Page(
        lambda: reverse("admin:experiments_experiment_results", args=[ExperimentFactory().pk]), MKT
    ),
    "moderation_case_next": Page(lambda: reverse("admin:moderation_case_next"), MOD, allowed=302),
    "moderation_case_decide": Page(
        lambda: reverse("admin:moderation_case_decide", args=[CaseFactory().pk]), MOD, method="post", allowed=302
    ),
    "moderation_case_release": Page(
        lambda: reverse("admin:moderation_case_release", args=[CaseFactory().pk]), MOD, method="post", allowed=302
    ),
    "auth_user_password_change": Page(
        lambda: reverse("admin:auth_user_password_change", args=[UserFactory().pk]), NOBODY
    ),
    "experiments_experiment_preview": Page(lambda: _variant_preview_url(), MKT),
    "experiments_experiment_rollout_model": Page(lambda: reverse("admin:experiments_experiment_rollout_model"), MKT),
    "segments_segment_kind": Page(lambda: reverse("admin:segments_segment_kind", args=["rfm"]), MKT),
    "segments_segment_recompute": Page(
        lambda: reverse("admin:segments_segment_recompute"), MKT, method="post", data={"kind": "rfm"}, allowed=302
    ),
}

STANDARD_PAGES = ("_changelist", "_add", "_history", "_delete", "_change")


def _admin_label(model: type[Any]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


@pytest.fixture
def actor(request: pytest.FixtureRequest) -> User | None:
    """The user of the role given by ``parametrize(..., indirect=["actor"])``."""
    return actor_make(request.param)


def _admin_client(client: Any, user: User | None) -> Any:
    if user is not None:
        client.force_login(user)
    return client


def _refused_page(response: Any, user: User | None) -> bool:
    """The admin's refusal: the sign-in page for anyone not staff, 403 for staff without the permission."""
    if user is None or not user.is_staff:
        return response.status_code == 302 and response["Location"].startswith("/admin/login/")
    return response.status_code == 403


def test_the_admin_tables_cover_every_model_admin_and_action(rf: Any) -> None:
    root = UserFactory(is_staff=True, is_superuser=True)
    request = rf.get("/admin/")
    request.user = root
    registered = {_admin_label(model): model_admin for model, model_admin in admin.site._registry.items()}
    offered = {
        f"{label}.{name}" for label, model_admin in registered.items() for name in model_admin.get_actions(request)
    }
    pages = {
        url.name
        for label, model_admin in registered.items()
        for url in model_admin.get_urls()
        if isinstance(url, URLPattern) and url.name
        if url.name not in {label.replace(".", "_") + page for page in STANDARD_PAGES}
    }

    assert sorted(set(registered) - set(ADMIN_VIEWS)) == [], "add these model admins to ADMIN_VIEWS"
    assert sorted(set(ADMIN_VIEWS) - set(registered)) == [], "these ADMIN_VIEWS rows name no model admin"
    assert sorted(offered - set(ADMIN_ACTIONS)) == [], "add these admin actions to ADMIN_ACTIONS, with who may use them"
    assert sorted(set(ADMIN_ACTIONS) - offered) == [], "these ADMIN_ACTIONS rows name no action"
    assert sorted(pages - set(ADMIN_PAGES)) == [], "add these custom admin pages to ADMIN_PAGES, with who may open them"
    assert sorted(set(ADMIN_PAGES) - pages) == [], "these ADMIN_PAGES rows name no admin page"


@pytest.mark.parametrize("actor", ROLES, indirect=True, ids=ROLES)
@pytest.mark.parametrize("label", sorted(ADMIN_VIEWS))
def test_each_role_sees_the_admin_lists_and_actions_the_tables_give_it(client, actor, label):
    role = role_of(actor)
    may_view = role in ADMIN_VIEWS[label] | EVERY_ADMIN
    expected_actions = {
        name.rpartition(".")[2]
        for name, roles in ADMIN_ACTIONS.items()
        if name.rpartition(".")[0] == label and role in roles | EVERY_ADMIN
    }
    app_label, model_name = label.split(".")

    response = _admin_client(client, actor).get(reverse(f"admin:{app_label}_{model_name}_changelist"))

    if not may_view:
        assert _refused_page(response, actor)
        return
    assert response.status_code == 200
    form = response.context["action_form"]
    offered = {value for value, _ in form.fields["action"].choices if value} if form is not None else set()
    assert offered == expected_actions


@pytest.mark.parametrize("actor", ROLES, indirect=True, ids=ROLES)
@pytest.mark.parametrize("name", sorted(ADMIN_PAGES))
def test_each_role_opens_the_custom_admin_pages_the_table_gives_it(client, actor, name):
    page = ADMIN_PAGES[name]

    response = getattr(_admin_client(client, actor), page.method)(page.address(), page.data)

    if role_of(actor) in page.roles | EVERY_ADMIN:
        assert response.status_code == page.allowed
    else:
        assert _refused_page(response, actor)


@pytest.mark.parametrize("actor", ROLES, indirect=True, ids=ROLES)
def test_the_admin_index_lists_exactly_the_models_a_role_may_open(client, actor):
    role = role_of(actor)

    response = _admin_client(client, actor).get(reverse("admin:index"))

    if actor is None or not actor.is_staff:
        assert _refused_page(response, actor)
        return
    assert response.status_code == 200
    listed = {model["model"]._meta.label_lower for app in response.context["app_list"] for model in app["models"]}
    assert listed == {label for label, roles in ADMIN_VIEWS.items() if role in roles | EVERY_ADMIN}


# the tables refuse it to, next to a role they allow it to.
@dataclass(frozen=True)
class Posted:
    label: str
    action: str
    make: Callable[[], Any]
    column: str  # what the action changes: its value is read again after the request (None: row gone)
    extra: dict[str, str] = field(default_factory=dict)

    def state(self, target: Any) -> Any:
        return type(target).objects.filter(pk=target.pk).values_list(self.column, flat=True).first()


def _pending_item() -> ContentItem:
    return ContentItemFactory(status=ContentItem.Status.PENDING, published_at=None)


def _draft_experiment() -> Experiment:
    experiment = ExperimentFactory()
    policy = MixPolicy.objects.create(name="p")
    VariantFactory(experiment=experiment, name="a", is_control=True)
    VariantFactory(experiment=experiment, name="b", policy=policy)
    return experiment


def _signed_up_shopper() -> Shopper:
    user = account_create(username="victim", email="v@example.com", password="pw-long-enough", visitor_id=None)
    return Shopper.objects.get(user=user)


POSTED = {
    "publish": Posted(
        "content.contentitem", "publish", _pending_item, "status", {"post": "yes", "reason_code": "ok", "note": ""}
    ),
    "approve": Posted("content.creator", "approve", lambda: CreatorFactory(status=Creator.Status.APPLIED), "status"),
    "hide_comment": Posted(
        "content.comment",
        "hide_comments",
        lambda: Comment.objects.create(content=ContentItemFactory(), author=UserFactory(), body="hi"),
        "status",
        {"post": "yes", "reason_code": "spam", "note": ""},
    ),
    "block": Posted(
        "moderation.creatorstanding",
        "block_creators",
        lambda: CreatorStanding.objects.create(creator=CreatorFactory()),
        "blocked",
        {"post": "yes", "reason": "spam"},
    ),
    "start": Posted("experiments.experiment", "start_experiments", _draft_experiment, "status"),
    "activate": Posted(
        "ranking.rankermodel",
        "activate_model",
        lambda: RankerModel.objects.create(version="v1", artifact="rankers/v1.txt"),
        "status",
    ),
    "erase": Posted("profiles.shopper", "erase_shoppers", _signed_up_shopper, "pk", {"post": "yes"}),
}


@pytest.mark.parametrize(
    ("case", "actor"),
    [
        ("publish", "marketers"),
        ("publish", "creators"),
        ("approve", "marketers"),
        ("hide_comment", "marketers"),
        ("block", "marketers"),
        ("start", "moderators"),
        ("activate", "marketers"),
        ("activate", "moderators"),
        ("erase", "moderators"),
        ("erase", "marketers"),
    ],
    indirect=["actor"],
)
def test_a_refused_admin_action_changes_nothing(client, case, actor):
    posted = POSTED[case]
    target = posted.make()
    before = posted.state(target)
    app_label, model_name = posted.label.split(".")

    response = _admin_client(client, actor).post(
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        {"action": posted.action, "_selected_action": [str(target.pk)], **posted.extra},
    )

    if role_of(actor) in ADMIN_VIEWS[posted.label]:
        # The list is theirs to see: it comes back, the action not run (it is not one of theirs).
        assert response.status_code == 200
        assert [m.level for m in response.context["messages"] if m.level == messages.SUCCESS] == []
    else:
        assert _refused_page(response, actor)
    assert posted.state(target) == before


@pytest.mark.parametrize(
    ("case", "actor", "after"),
    [
        ("publish", "moderators", ContentItem.Status.PUBLISHED),
        ("approve", "moderators", Creator.Status.APPROVED),
        ("hide_comment", "moderators", Comment.Status.HIDDEN),
        ("block", "moderators", True),
        ("start", "marketers", Experiment.Status.RUNNING),
        ("erase", "admins", None),
    ],
    indirect=["actor"],
)
def test_an_allowed_admin_action_does_its_work(client, case, actor, after):
    posted = POSTED[case]
    target = posted.make()
    app_label, model_name = posted.label.split(".")

    response = _admin_client(client, actor).post(
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        {"action": posted.action, "_selected_action": [str(target.pk)], **posted.extra},
    )

    assert response.status_code == 302
    assert posted.state(target) == after


# ---- the custom permissions: each is what opens its action, beyond the model's own ---------------


def _staff_with(*names: str) -> User:
    user = UserFactory(is_staff=True)
    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)  # a fresh instance: permissions are cached per instance


@pytest.mark.parametrize(
    ("permission", "label", "action"),
    [
        ("content.review_creator", "content.creator", "approve"),
        ("content.review_creator", "content.creator", "decline"),
        ("ranking.activate_model", "ranking.rankermodel", "activate_model"),
        ("ranking.activate_model", "ranking.rankermodel", "rollback_model"),
        ("experiments.start_experiment", "experiments.experiment", "start_experiments"),
        ("experiments.start_experiment", "experiments.experiment", "stop_experiments"),
        ("profiles.export_shopper_data", "profiles.shopper", "export_shopper_data"),
        ("profiles.delete_shopper", "profiles.shopper", "erase_shoppers"),
    ],
)
@pytest.mark.parametrize("granted", [False, True])
def test_an_action_is_offered_only_with_its_own_permission(client, permission, label, action, granted):
    app_label, model_name = label.split(".")
    model_permissions = [
        f"{app_label}.{verb}_{model_name}"
        for verb in ("view", "add", "change", "delete")
        if f"{app_label}.{verb}_{model_name}" != permission
    ]
    client.force_login(_staff_with(*model_permissions, *([permission] if granted else [])))

    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))

    assert response.status_code == 200
    form = response.context["action_form"]
    offered = {value for value, _ in form.fields["action"].choices if value} if form is not None else set()
    assert (action in offered) is granted


@pytest.mark.parametrize(
    ("permissions", "status"), [(["ranking.view_rankermodel"], 403), (["ranking.preview_feed"], 200)]
)
def test_the_feed_preview_needs_its_own_permission(client, permissions, status):
    client.force_login(_staff_with(*permissions))

    response = client.get(reverse("admin:ranking_preview"))

    assert response.status_code == status
    if status == 200:
        assert response.context["title"] == "Preview the feed as a shopper"


@pytest.mark.parametrize(
    ("permissions", "linked"),
    [(["ranking.view_rankermodel"], False), (["ranking.view_rankermodel", "ranking.preview_feed"], True)],
)
def test_the_model_list_links_the_preview_only_for_those_who_may_open_it(client, permissions, linked):
    client.force_login(_staff_with(*permissions))

    response = client.get(reverse("admin:ranking_rankermodel_changelist"))

    assert (reverse("admin:ranking_preview") in response.content.decode()) is linked
