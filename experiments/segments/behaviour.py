"""Behaviour segments: shoppers clustered by what they engage with.

A shopper's affinity profile is the share of each root category (the top of a category tag's
parent chain: skincare, makeup, …) among their engagements in the lookback: every event that shows
interest (``EventType.positive``: views, likes, carts, purchases, ratings …; not impressions, skips
or hides) on an item with a category counts once, split evenly when the item's categories have
several roots. A shopper needs ``MIN_ENGAGEMENTS`` such engagements for a profile: fewer say
little about their taste, and they belong to no behaviour segment.

Profiles are clustered by k-means (scikit-learn, fixed ``SEED``) for each k in ``K_RANGE``; the k
with the best silhouette wins (the smaller k on a tie). Each cluster is named by the fewest top
categories of its mean profile that make up ``NAME_SHARE`` of it (at most three): "mostly Skincare
+ Makeup"; a cluster whose top three fall short is "mixed". Its key is made of the same
categories' slugs, so a cluster that keeps its character keeps its segment (and its id) across
recomputations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection

from content.models import ContentItem, Tag
from profiles.events.models import Interaction
from profiles.events.types import EVENT_TYPES

MIN_ENGAGEMENTS = 3
K_RANGE = range(2, 9)
SEED = 0
# Silhouettes cost n² distances: scored on a fixed sample of this many profiles at most.
SILHOUETTE_SAMPLE = 3000
# k is chosen on a fixed sample of this many profiles at most, then fitted on all of them: fitting
# every k on tens of thousands of shoppers would cost most of a recomputation.
CHOICE_SAMPLE = 5000
N_INIT = 4
NAME_SHARE = 0.6
ENGAGEMENTS = tuple(t.name for t in EVENT_TYPES if t.positive)


@dataclass(frozen=True)
class Category:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Profiles:
    shopper: np.ndarray  # int64, sorted
    shares: np.ndarray  # float64 shoppers × categories; each row sums to 1
    engagements: np.ndarray  # float64 categorized engagements of each shopper
    categories: list[Category]  # one per column

    def __len__(self) -> int:
        return len(self.shopper)


def profiles_from_counts(
    shoppers: np.ndarray, columns: np.ndarray, counts: np.ndarray, categories: list[Category], *, min_engagements: float
) -> Profiles:
    """Profiles from (shopper, category column, engagements) triples; shoppers with fewer than
    ``min_engagements`` are left out."""
    ids, rows = np.unique(shoppers, return_inverse=True)
    matrix = np.zeros((len(ids), len(categories)), np.float64)
    np.add.at(matrix, (rows, columns), counts)
    total = matrix.sum(axis=1)
    keep = total >= min_engagements - 1e-9
    return Profiles(
        shopper=ids[keep].astype(np.int64),
        shares=matrix[keep] / total[keep, None],
        engagements=total[keep],
        categories=categories,
    )


def profiles_load(*, as_of: datetime, lookback_days: int, min_engagements: float = MIN_ENGAGEMENTS) -> Profiles:
    """Every shopper's profile over ``(as_of − lookback, as_of]``: one query aggregates engagements
    by shopper and root category (root categories found by a recursive query), one names them."""
    through = ContentItem.tags.through._meta.db_table
    tags, interactions = Tag._meta.db_table, Interaction._meta.db_table
    category = Tag.Kind.CATEGORY.value
    types = ", ".join(["%s"] * len(ENGAGEMENTS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE up(id, root) AS ("
            f"SELECT id, id FROM {tags} WHERE kind = %s AND parent_id IS NULL "
            f"UNION SELECT t.id, up.root FROM {tags} t JOIN up ON t.parent_id = up.id WHERE t.kind = %s"
            f"), item_root AS ("
            f"SELECT DISTINCT ct.contentitem_id AS item, up.root AS root FROM {through} ct JOIN up ON up.id = ct.tag_id"
            f"), item_share AS ("
            f"SELECT item, root, 1.0 / COUNT(*) OVER (PARTITION BY item) AS share FROM item_root"
            f") SELECT i.shopper_id, s.root, SUM(s.share) FROM {interactions} i "
            f"JOIN item_share s ON s.item = i.content_id "
            f"WHERE i.occurred_at > %s AND i.occurred_at <= %s AND i.type IN ({types}) "
            f"GROUP BY i.shopper_id, s.root",
            [category, category, as_of - timedelta(days=lookback_days), as_of, *ENGAGEMENTS],
        )
        rows = cursor.fetchall()
    roots = sorted({root for _, root, _ in rows})
    named = {pk: (slug, name) for pk, slug, name in Tag.objects.filter(pk__in=roots).values_list("pk", "slug", "name")}
    categories = [Category(pk, *named[pk]) for pk in roots]
    column = {pk: n for n, pk in enumerate(roots)}
    return profiles_from_counts(
        np.fromiter((row[0] for row in rows), np.int64, len(rows)),
        np.fromiter((column[row[1]] for row in rows), np.int64, len(rows)),
        np.fromiter((float(row[2]) for row in rows), np.float64, len(rows)),
        categories,
        min_engagements=min_engagements,
    )


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # cluster of each profile; clusters numbered largest first
    centers: np.ndarray  # k × categories: each cluster's mean profile
    silhouettes: dict[int, float]  # the silhouette of each k tried

    @property
    def k(self) -> int:
        return len(self.centers)


def cluster_profiles(shares: np.ndarray, *, ks: range = K_RANGE, seed: int = SEED) -> Clustering | None:
    """k-means of the profiles for the k in ``ks`` (up to the number of distinct profiles) with the
    best silhouette; ``None`` when fewer than two clusters can be told apart. k is chosen on a fixed
    sample of ``CHOICE_SAMPLE`` profiles at most, and the chosen k fitted on them all."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(seed)
    chosen_on = (
        shares if len(shares) <= CHOICE_SAMPLE else shares[rng.choice(len(shares), CHOICE_SAMPLE, replace=False)]
    )
    distinct = len(np.unique(chosen_on, axis=0)) if len(chosen_on) else 0
    best: tuple[float, int] | None = None
    silhouettes: dict[int, float] = {}
    for k in ks:
        if k > distinct or k >= len(chosen_on):  # a silhouette needs fewer clusters than profiles
            break
        labels = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit_predict(chosen_on)
        sample = min(len(chosen_on), SILHOUETTE_SAMPLE)
        score = float(silhouette_score(chosen_on, labels, sample_size=sample, random_state=seed))
        silhouettes[k] = round(score, 4)
        if best is None or score > best[0] + 1e-12:
            best = (score, k)
    if best is None:
        return None
    k = best[1]
    labels = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit_predict(shares)
    # Largest first (ties: the lower k-means label), so that numbering is stable for the same data.
    sizes = np.bincount(labels, minlength=k)
    order = np.lexsort((np.arange(k), -sizes))
    renumber = np.empty(k, np.int64)
    renumber[order] = np.arange(k)
    labels = renumber[labels]
    centers = np.vstack([shares[labels == c].mean(axis=0) for c in range(k)])
    return Clustering(labels=labels, centers=centers, silhouettes=silhouettes)


def structure(silhouette: float) -> str:
    """How much the best silhouette says the clusters are real (Kaufman and Rousseeuw's reading)."""
    if silhouette > 0.7:
        return "strong"
    if silhouette > 0.5:
        return "reasonable"
    if silhouette > 0.25:
        return "weak: the clusters overlap"
    return "none to speak of: tastes vary smoothly, and the clusters are cuts through them"


def cluster_name(center: np.ndarray, categories: list[Category]) -> tuple[str, str]:
    """(key, name) of a cluster from its mean profile (module docstring)."""
    order = np.argsort(-center, kind="stable")[:3]
    picked: list[int] = []
    total = 0.0
    for column in order.tolist():
        picked.append(column)
        total += float(center[column])
        if total >= NAME_SHARE:
            break
    names = [categories[c].name for c in picked]
    slugs = [categories[c].slug[:12].strip("-") for c in picked]
    if total >= NAME_SHARE:
        return "-".join(slugs)[:36], "mostly " + " + ".join(names)
    return ("mixed-" + "-".join(slugs))[:36], "mixed: " + ", ".join(names) + " and more"


def cluster_keys(centers: np.ndarray, categories: list[Category]) -> list[tuple[str, str]]:
    """(key, name) of every cluster; a key met twice gets a number (the larger cluster keeps it bare)."""
    out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for center in centers:
        key, name = cluster_name(center, categories)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key, name = f"{key}-{seen[key]}", f"{name} ({seen[key]})"
        out.append((key, name))
    return out


def top_entries(center: np.ndarray, categories: list[Category], *, n: int = 5) -> list[dict[str, Any]]:
    """The mean profile's largest shares: what defines the cluster."""
    order = np.argsort(-center, kind="stable")[:n]
    return [
        {"category": categories[c].name, "slug": categories[c].slug, "share": round(float(center[c]), 4)}
        for c in order.tolist()
        if center[c] > 0
    ]
