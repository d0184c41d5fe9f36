"""Variants in the served feed: a variant's ranker serves its shoppers, source weights and switches
shape their pages, interleaving merges two rankers, and exposures and sign-in keep the record."""

import random
from collections import Counter

import pytest

from experiments.assignment import running_plan, treatment_of
from experiments.models import Experiment, Exposure, StickyUnit
from experiments.services import experiment_start
from profiles.models import Shopper
from profiles.services import shopper_merge_visitor
from ranking import serving
from ranking.feed import feed_page
from ranking.interleave import team_draft
from ranking.models import FeedRequest
from ranking.policy import Policy
from ranking.training import ranker_train
from ranking.treatment import Treatment, treatment_for
from tests.factories import ContentItemFactory, ExperimentFactory, ShopperFactory, UserFactory, VariantFactory
from tests.ranking.conftest import ranker_storage, shop  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
OPEN = Policy(max_same_creator_in_row=0, max_same_kind_in_row=0, min_creator_spacing=0)


@pytest.fixture
def two_models(shop, ranker_storage):  # noqa: F811
    older = ranker_train(activate="always", rounds=10)
    newer = ranker_train(activate="always", rounds=20)
    older.refresh_from_db()
    assert (older.status, newer.status) == ("retired", "active")
    return older, newer


def started(kind="ab", **variants):
    """A running experiment "x" with a control and the given treatment variants (name → fields)."""
    experiment = ExperimentFactory(name="x", kind=kind)
    VariantFactory(experiment=experiment, name="control", is_control=True, **variants.pop("control", {}))
    for name, fields in variants.items():
        VariantFactory(experiment=experiment, name=name, **fields)
    return experiment_start(experiment=experiment)


def test_a_ranker_variant_is_served_by_its_model_and_the_control_by_the_active_one(shop, two_models):  # noqa: F811
    older, newer = two_models
    started(old={"ranker": older})
    shoppers = [s for s, _ in shop[2]]

    served = {}
    for shopper in shoppers:
        page = feed_page(shopper=shopper, limit=5, cursor=None)
        log = FeedRequest.objects.get(request_id=page.request_id)
        served[log.variant] = served.get(log.variant, set()) | {log.features["model"]}

    assert served == {"x/control": {newer.version}, "x/old": {older.version}}


def test_a_source_weighed_zero_is_never_served_and_one_weighed_up_rises(shop, two_models):  # noqa: F811
    shoppers = [s for s, _ in shop[2][:10]]

    def sources(treatment):
        return Counter(
            slot.candidate.source
            for s in shoppers
            for slot in serving.rank(
                shopper=s, exclude=set(), size=10, policy=OPEN, first_page=True, treatment=treatment
            ).slots
        )

    before = sources(Treatment())
    top, runner_up = (source for source, _ in before.most_common(2))
    without_top = sources(Treatment(source_weights=((top, 0.0),)))
    lifted = sources(Treatment(source_weights=((runner_up, 20.0),)))

    assert before[top] > 0
    assert without_top[top] == 0
    assert lifted[runner_up] > before[runner_up]


def test_switching_explanations_off_drops_because_you_liked(shop, two_models):  # noqa: F811
    shoppers = [s for s, _ in shop[2][:12]]
    on = started(quiet={"switches_off": ["because"]})
    texts: dict[str, set[bool]] = {}
    for shopper in shoppers:
        page = feed_page(shopper=shopper, limit=10, cursor=None)
        label = FeedRequest.objects.get(request_id=page.request_id).variant
        texts.setdefault(label, set()).update(
            c["reason"]["text"].startswith(("Because you liked ", "Because you viewed ")) for c in page.cards
        )

    assert on.status == "running"
    assert texts["x/quiet"] == {False}
    assert True in texts["x/control"]  # the control still explains: the switch is what removed them


def test_an_interleaving_serves_both_rankers_teams_on_one_page_and_logs_them(shop, two_models):  # noqa: F811
    older, newer = two_models
    started(kind="interleave", challenger={"ranker": older})
    shopper = shop[2][0][0]

    page = feed_page(shopper=shopper, limit=10, cursor=None)

    log = FeedRequest.objects.get(request_id=page.request_id)
    assert log.variant == "x/interleaved"
    assert len(log.features["teams"]) == len(log.items) == 10
    assert set(log.features["teams"]) == {"a", "b"}
    assert abs(log.features["teams"].count("a") - log.features["teams"].count("b")) <= 1
    # Team a is the control's (the active) model: only its cards carry feature rows.
    assert log.features["model"] == newer.version
    assert [row is not None for row in log.features["rows"]] == [t == "a" for t in log.features["teams"]]
    exposure = Exposure.objects.get(shopper=shopper)
    assert exposure.variant.name == "control"


def test_team_draft_alternates_fairly_never_repeats_and_fills_from_the_longer_list():
    a, b = [1, 2, 3, 4, 5, 6], [2, 7, 1, 8]

    pages = [team_draft(a, b, 8, random.Random(seed)) for seed in range(50)]

    for page in pages:
        items = [item for item, _ in page]
        assert len(items) == len(set(items)) == 8
        teams = [team for _, team in page]
        for n in range(1, 5):  # while both lists last, the picks never differ by more than one
            assert abs(teams[:n].count("a") - teams[:n].count("b")) <= 1
        # each team's items come in its own ranker's order
        assert [i for i, t in page if t == "a"] == sorted((i for i, t in page if t == "a"), key=a.index)
        assert [i for i, t in page if t == "b"] == sorted((i for i, t in page if t == "b"), key=b.index)
    assert {page[0][1] for page in pages} == {"a", "b"}  # the coin decides who starts
    assert team_draft([1], [2], 5, random.Random(0)) in ([(1, "a"), (2, "b")], [(2, "b"), (1, "a")])


def test_the_first_ranked_page_in_a_variant_is_the_exposure_and_the_next_pages_add_none(shop, two_models):  # noqa: F811
    started(old={"ranker": two_models[0]})
    shopper = shop[2][0][0]

    first = feed_page(shopper=shopper, limit=5, cursor=None)
    feed_page(shopper=shopper, limit=5, cursor=None)

    exposure = Exposure.objects.get()
    label = FeedRequest.objects.get(request_id=first.request_id).variant
    assert (exposure.shopper, f"x/{exposure.variant.name}") == (shopper, label)


def test_a_page_the_ranker_did_not_shape_is_no_exposure():
    started(bold={"source_weights": {"popular": 2}})
    ContentItemFactory.create_batch(3)

    page = feed_page(shopper=ShopperFactory(), limit=5, cursor=None)  # no ranker trained: the fallback page

    assert {c["reason"]["rule"] for c in page.cards} == {"fallback"}
    assert FeedRequest.objects.get(request_id=page.request_id).variant.startswith("x/")
    assert not Exposure.objects.exists()


def test_a_visitor_who_signs_in_keeps_their_variant(shop, two_models):  # noqa: F811
    experiment = started(old={"ranker": two_models[0]})
    plan = running_plan()
    visitors = [Shopper.objects.create() for _ in range(30)]
    user = UserFactory()
    account = Shopper.objects.create(user=user)
    mine = treatment_of(plan, account).labels
    # a visitor whose hash puts them in the other variant than the account's own
    visitor = next(v for v in visitors if treatment_of(plan, v).labels != mine)
    feed_page(shopper=visitor, limit=5, cursor=None)
    theirs = treatment_for(visitor).labels

    shopper_merge_visitor(visitor_id=visitor.visitor_id, user=user)

    assert treatment_for(account).labels == theirs != mine
    assert StickyUnit.objects.get(shopper=account, experiment=experiment).unit == visitor.pk
    assert list(Exposure.objects.values_list("shopper", flat=True)) == [account.pk]
    assert Experiment.objects.get().status == "running"


def test_admin_previews_the_feed_of_a_shopper_in_a_chosen_variant(shop, two_models, admin_client):  # noqa: F811
    older, _ = two_models
    experiment = started(old={"ranker": older})
    variant = experiment.variants.get(name="old")
    shopper = shop[2][0][0]

    response = admin_client.get(
        f"/admin/experiments/experiment/{experiment.pk}/preview/", {"shopper": shopper.pk, "variant": variant.pk}
    )

    preview = response.context["preview"]
    assert preview.version == older.version
    assert len(preview.rows) == 20
    assert "in variant <strong>x/old</strong>" in response.content.decode()
    assert not FeedRequest.objects.exists()  # a preview serves nothing
