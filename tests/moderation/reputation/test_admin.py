"""The standing and trust admin: scores with their inputs and breakdown, override and clear actions."""

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from moderation.models import AuditEntry, CreatorStanding, ShopperTrust
from moderation.reputation import Evidence, breakdown
from moderation.reputation.shoppers import TrustInputs
from moderation.reputation.shoppers import breakdown as trust_breakdown
from tests.factories import CreatorStandingFactory, ShopperFactory, ShopperTrustFactory, UserFactory

pytestmark = pytest.mark.django_db
STANDINGS = reverse("admin:moderation_creatorstanding_changelist")
TRUST = reverse("admin:moderation_shoppertrust_changelist")


def _listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in response.context["messages"]]


def _act(client, url, action, rows, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [row.pk for row in rows], **extra}
    return client.post(url, data, follow="post" in extra)


def _standings() -> list[tuple]:
    return list(CreatorStanding.objects.order_by("pk").values_list("pk", "reputation", "override", "override_reason"))


def test_a_standings_page_shows_the_score_its_inputs_and_what_the_formula_did(admin_client):
    standing = CreatorStandingFactory(
        reputation=0.3,
        computed=0.3,
        items_judged=6,
        items_removed=1,
        upheld_reports=2,
        impressions=300,
        hides=9,
        likes=4,
        account_age_days=12,
    )

    page = admin_client.get(reverse("admin:moderation_creatorstanding_change", args=[standing.pk])).content.decode()

    evidence = Evidence(judged=6, removed=1, upheld=2, impressions=300, hides=9, likes=4, age_days=12)
    for line in breakdown(evidence):
        assert f"<div>{line}</div>" in page
    assert "1 of 6 items removed · 9 hides in 300 impressions · 2 upheld reports · 4 likes" in page


def test_the_list_marks_overridden_reputations_beside_the_computed_one(admin_client):
    CreatorStandingFactory(reputation=0.9, computed=0.1, override=0.9)

    page = admin_client.get(STANDINGS).content.decode()

    assert "0.90 (overridden)" in page
    assert '<td class="field-computed_shown">0.10</td>' in page


def test_overriding_asks_for_a_value_and_a_reason_then_overrides_and_audits_each_creator(admin_client):
    first, second = CreatorStandingFactory(computed=0.1, reputation=0.1), CreatorStandingFactory()

    asked = _act(admin_client, STANDINGS, "override_reputations", [first, second])
    assert asked.status_code == 200
    assert asked.templates[0].name == "admin/moderation/override.html"
    assert _standings() == [(first.pk, 0.1, None, ""), (second.pk, 0.5, None, "")]

    done = _act(admin_client, STANDINGS, "override_reputations", [first, second], post="yes", value="0.7", reason="ok")

    assert _messages(done) == [("success", "Reputation override set to 0.7 for 2 creators.")]
    assert _standings() == [(first.pk, 0.7, 0.7, "ok"), (second.pk, 0.7, 0.7, "ok")]
    assert AuditEntry.objects.filter(action="reputation_override").count() == 2


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"value": "0.7", "reason": ""}, "This field is required."),
        ({"value": "", "reason": "why"}, "This field is required."),
        ({"value": "1.2", "reason": "why"}, "Ensure this value is less than or equal to 1.0."),
    ],
)
def test_an_override_without_a_reason_or_a_value_in_range_is_asked_again_and_changes_nothing(
    admin_client, extra, error
):
    standing = CreatorStandingFactory(computed=0.1, reputation=0.1)
    before = _standings()

    again = _act(admin_client, STANDINGS, "override_reputations", [standing], post="yes", **extra)

    assert again.templates[0].name == "admin/moderation/override.html"
    assert error in again.content.decode()
    assert _standings() == before
    assert not AuditEntry.objects.exists()


def test_clearing_reports_creators_without_an_override_and_clears_the_others(admin_client):
    overridden = CreatorStandingFactory(computed=0.1, reputation=0.8, override=0.8, override_reason="x")
    plain = CreatorStandingFactory(computed=0.4, reputation=0.4)

    done = _act(admin_client, STANDINGS, "clear_reputation_overrides", [overridden, plain], post="yes", reason="bad")

    assert _messages(done) == [
        ("success", "Reputation override cleared for 1 creators."),
        ("error", f"standing of {plain.creator}: {plain.creator}'s reputation is not overridden."),
    ]
    assert _standings() == [(overridden.pk, 0.1, None, ""), (plain.pk, 0.4, None, "")]


def test_the_trust_list_finds_a_shopper_by_id_or_user_and_shows_the_least_trusted_first(admin_client):
    bot = ShopperTrustFactory(trust=0.05, computed=0.05, peak_per_minute=240, gap_cv=0.02, events=900)
    named = ShopperTrustFactory(shopper=ShopperFactory(user=UserFactory(username="margot")), trust=0.9)

    assert _listed(admin_client.get(TRUST)) == [bot, named]
    assert _listed(admin_client.get(TRUST, {"q": str(bot.shopper_id)})) == [bot]
    assert _listed(admin_client.get(TRUST, {"q": "margot"})) == [named]
    assert _listed(admin_client.get(TRUST, {"counts": "less"})) == [bot]
    assert (
        "900 events · peak 240/min · gap variation 0.02 · 0 of 0 actions unexposed"
        in admin_client.get(TRUST).content.decode()
    )


def test_a_trust_page_shows_what_the_formula_did(admin_client):
    row = ShopperTrustFactory(
        events=300, impressions=120, actions=10, unexposed_actions=10, peak_per_minute=120, gap_cv=0.1
    )

    page = admin_client.get(reverse("admin:moderation_shoppertrust_change", args=[row.pk])).content.decode()

    inputs = TrustInputs(events=300, impressions=120, actions=10, unexposed_actions=10, peak_per_minute=120, gap_cv=0.1)
    for line in trust_breakdown(inputs):
        assert f"<div>{line}</div>" in page


def test_a_trust_override_from_the_list_is_audited(admin_client):
    row = ShopperTrustFactory(trust=0.1, computed=0.1)

    done = _act(admin_client, TRUST, "override_trust", [row], post="yes", value="1", reason="our load tester")

    assert _messages(done) == [("success", "Trust override set to 1 for 1 shoppers.")]
    assert ShopperTrust.objects.values_list("trust", "override").get() == (1.0, 1.0)
    assert AuditEntry.objects.get().action == "trust_override"


def test_the_trust_list_query_count_does_not_grow_with_rows(admin_client):
    ShopperTrustFactory.create_batch(3, override_by=UserFactory())
    admin_client.get(TRUST)  # warms the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        admin_client.get(TRUST)
    ShopperTrustFactory.create_batch(20, override_by=UserFactory())
    with CaptureQueriesContext(connection) as many:
        assert len(_listed(admin_client.get(TRUST))) == 23

    assert len(many) == len(few)
