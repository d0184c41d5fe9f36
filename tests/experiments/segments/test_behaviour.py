"""Behaviour segments: profiles from the database, clusters found in planted groups, their names."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from content.models import Tag
from experiments.segments import behaviour
from experiments.segments.behaviour import Category, cluster_keys, cluster_name, cluster_profiles, profiles_load
from tests.experiments.segments.conftest import AS_OF, days_before
from tests.factories import ContentItemFactory, InteractionFactory, ShopperFactory, TagFactory

CATEGORIES = [
    Category(n, slug, slug.title())
    for n, slug in enumerate(["skincare", "makeup", "hair", "fragrance", "nails", "bath"])
]


def planted(k: int, per_group: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``k`` groups of profiles over 8 categories, each drawn (Dirichlet) around a centre of its own."""
    rng = np.random.default_rng(seed)
    centres = rng.dirichlet(np.full(8, 0.3), size=k)
    truth = np.repeat(np.arange(k), per_group)
    shares = np.vstack([rng.dirichlet(centres[g] * 60 + 0.05) for g in truth])
    return shares, truth


@pytest.mark.parametrize(("k", "seed"), [(2, 1), (3, 2), (4, 3), (5, 4)])
def test_clustering_finds_planted_groups(k, seed):
    shares, truth = planted(k, per_group=150, seed=seed)

    clustering = cluster_profiles(shares)

    assert clustering is not None
    assert clustering.k == k
    assert adjusted_rand_score(truth, clustering.labels) > 0.98
    assert max(clustering.silhouettes, key=clustering.silhouettes.get) == k


def test_clusters_are_numbered_largest_first_and_centres_are_their_means():
    shares, _ = planted(3, per_group=100, seed=5)
    shares = shares[np.r_[0:100, 100:160, 200:300]]  # groups of 100, 60 and 100 profiles

    clustering = cluster_profiles(shares)

    sizes = np.bincount(clustering.labels)
    assert sizes.tolist() == sorted(sizes.tolist(), reverse=True)
    for c in range(clustering.k):
        assert np.allclose(clustering.centers[c], shares[clustering.labels == c].mean(axis=0))


def test_the_same_profiles_cluster_the_same_way():
    shares, _ = planted(3, per_group=80, seed=6)

    first, second = cluster_profiles(shares), cluster_profiles(shares.copy())

    assert first.labels.tolist() == second.labels.tolist()


def test_identical_profiles_form_no_clusters():
    assert cluster_profiles(np.tile([0.5, 0.5, 0.0, 0.0], (20, 1))) is None


@pytest.mark.parametrize(
    ("centre", "key", "name"),
    [
        ([0.7, 0.1, 0.1, 0.1, 0, 0], "skincare", "mostly Skincare"),
        ([0.5, 0.3, 0.1, 0.1, 0, 0], "skincare-makeup", "mostly Skincare + Makeup"),
        ([0.1, 0.35, 0.2, 0.35, 0, 0], "makeup-fragrance", "mostly Makeup + Fragrance"),
        ([0.25, 0.2, 0.25, 0.3, 0, 0], "fragrance-skincare-hair", "mostly Fragrance + Skincare + Hair"),
        ([0.18, 0.17, 0.17, 0.16, 0.16, 0.16], "mixed-skincare-makeup-hair", "mixed: Skincare, Makeup, Hair and more"),
    ],
)
def test_cluster_names(centre, key, name):
    assert cluster_name(np.array(centre), CATEGORIES) == (key, name)


def test_two_clusters_of_one_name_are_told_apart():
    centres = np.array([[0.8, 0.1, 0.1, 0, 0, 0], [0.65, 0, 0, 0.35, 0, 0]])

    assert cluster_keys(centres, CATEGORIES) == [
        ("skincare", "mostly Skincare"),
        ("skincare-2", "mostly Skincare (2)"),
    ]


@pytest.mark.django_db
def test_profiles_from_the_database():
    beauty = TagFactory(slug="beauty", name="Beauty", kind=Tag.Kind.CATEGORY)
    skin = TagFactory(slug="beauty-skin", name="Skin", kind=Tag.Kind.CATEGORY, parent=beauty)
    serum = TagFactory(slug="beauty-skin-serum", name="Serum", kind=Tag.Kind.CATEGORY, parent=skin)
    fashion = TagFactory(slug="fashion", name="Fashion", kind=Tag.Kind.CATEGORY)
    topic = TagFactory(slug="glow", name="Glow", kind=Tag.Kind.TOPIC)
    # Tagged as the importer tags a category path: every level.
    serum_item = ContentItemFactory(tags=[beauty, skin, serum, topic])
    dress = ContentItemFactory(tags=[fashion])
    both = ContentItemFactory(tags=[serum, fashion])  # two roots: each engagement split in halves
    untagged = ContentItemFactory(tags=[topic])
    fan, casual, old = ShopperFactory(), ShopperFactory(), ShopperFactory()

    def event(shopper, item, kind, days=1.0):
        InteractionFactory(shopper=shopper, content=item, type=kind, occurred_at=days_before(days))

    event(fan, serum_item, "view")
    event(fan, serum_item, "like")
    event(fan, dress, "view")
    event(fan, both, "purchase")
    event(fan, dress, "impression")  # shown, not engaged
    event(fan, serum_item, "skip")  # refused
    event(fan, untagged, "like")  # no category
    event(fan, dress, "view", days=200)  # before the lookback
    event(casual, serum_item, "view")
    event(casual, dress, "like")  # two engagements: too few for a profile
    for _ in range(3):
        event(old, dress, "view", days=190)

    profiles = profiles_load(as_of=AS_OF, lookback_days=180)

    assert [c.slug for c in profiles.categories] == ["beauty", "fashion"]
    assert profiles.shopper.tolist() == [fan.pk]
    # Beauty: 2 + 0.5, Fashion: 1 + 0.5, of 4 engagements
    assert profiles.engagements.tolist() == [pytest.approx(4.0)]
    assert profiles.shares.tolist() == [[pytest.approx(0.625), pytest.approx(0.375)]]


def test_more_profiles_than_the_sample_choose_k_on_the_sample_and_cluster_everyone(monkeypatch):
    monkeypatch.setattr(behaviour, "CHOICE_SAMPLE", 500)
    shares, truth = planted(3, per_group=400, seed=2)

    clustering = cluster_profiles(shares)

    assert clustering.k == 3
    assert len(clustering.labels) == 1200
    assert adjusted_rand_score(truth, clustering.labels) > 0.98


@pytest.mark.parametrize(
    ("silhouette", "reading"),
    [(0.74, "strong"), (0.6, "reasonable"), (0.3, "weak: the clusters overlap"), (0.08, "none to speak of")],
)
def test_the_structure_a_silhouette_tells(silhouette, reading):
    assert behaviour.structure(silhouette).startswith(reading)
