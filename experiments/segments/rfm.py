"""RFM segments: recency, frequency and monetary value scored 1–5 against everyone active, then
named groups by a fixed table (``GROUPS``).

Pure functions over ``Activity`` (``activity``): the nightly recomputation and the ranking
feature score the same way.

Scores. Each figure is scored against the shoppers active in the lookback:
``score = 1 + ⌊5 · worse / n⌋`` with ``worse`` the number of shoppers whose figure is strictly
worse (more days since they were last active; fewer active days; less spent). Shoppers with equal
figures get equal scores, so a score of 5 means "better than at least four fifths of the others".
Monetary value is scored among buyers only; a shopper who bought nothing has M = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.segments.activity import Activity


@dataclass(frozen=True)
class Group:
    key: str  # stable: a segment keeps its id across recomputations by (kind, key)
    name: str
    rule: str  # the rule in words, for the admin and the docs
    code: int  # the ranking feature's value (``feature``): 0 is "no segment"


# The first group whose rule matches takes the shopper (``group_of``); every shopper active in
# the lookback matches one. Codes run from the most to the least engaged.
GROUPS: tuple[Group, ...] = (
    Group("champions", "Champions", "bought; R 4–5, F 4–5, M 4–5", 1),
    Group("loyal", "Loyal", "bought; R 3–5, F 4–5 (not champions)", 2),
    Group("new", "New buyers", "bought; R 4–5, F 1", 3),
    Group("promising", "Promising", "bought; R 4–5, F 2–3", 4),
    Group("needs-attention", "Need attention", "bought; R 3, F 1–3", 5),
    Group("at-risk", "At risk", "bought; R 1–2, F 3–5", 6),
    Group("hibernating", "Hibernating", "bought; R 1–2, F 1–2", 7),
    Group("browsers", "Browsers who never bought", "never bought; R 3–5", 8),
    Group("lapsed-browsers", "Lapsed browsers", "never bought; R 1–2", 9),
)
BY_KEY = {group.key: group for group in GROUPS}


def quintile_scores(values: np.ndarray, *, lower_is_better: bool = False) -> np.ndarray:
    """Scores 1–5 of ``values`` against each other: ``1 + ⌊5 · worse / n⌋`` (module docstring)."""
    values = np.asarray(values, np.float64)
    n = len(values)
    if not n:
        return np.zeros(0, np.int64)
    ordered = np.sort(values)
    if lower_is_better:
        worse = n - np.searchsorted(ordered, values, side="right")
    else:
        worse = np.searchsorted(ordered, values, side="left")
    return 1 + (5 * worse.astype(np.int64)) // n


def group_of(r: np.ndarray, f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The index in ``GROUPS`` of each shopper's group, from their scores (m = 0: never bought)."""
    bought = m > 0
    rules = [
        bought & (r >= 4) & (f >= 4) & (m >= 4),
        bought & (r >= 3) & (f >= 4),
        bought & (r >= 4) & (f <= 1),
        bought & (r >= 4) & (f <= 3),
        bought & (r == 3),
        bought & (r <= 2) & (f >= 3),
        bought & (r <= 2),
        ~bought & (r >= 3),
        ~bought,
    ]
    assert len(rules) == len(GROUPS)
    return np.select(rules, list(range(len(GROUPS))), default=len(GROUPS) - 1)


@dataclass(frozen=True)
class RfmScores:
    activity: Activity
    r: np.ndarray
    f: np.ndarray
    m: np.ndarray
    group: np.ndarray  # index in GROUPS

    @property
    def keys(self) -> list[str]:
        return [GROUPS[g].key for g in self.group.tolist()]

    def codes(self) -> dict[int, int]:
        """{shopper id: the group's code} for the ranking feature."""
        codes = np.fromiter((group.code for group in GROUPS), np.int64, len(GROUPS))[self.group]
        return dict(zip(self.activity.shopper.tolist(), codes.tolist(), strict=True))


def rfm_score(activity: Activity) -> RfmScores:
    """Every shopper of ``activity`` scored and grouped."""
    r = quintile_scores(activity.recency_days, lower_is_better=True)
    f = quintile_scores(activity.active_days)
    m = np.zeros(len(activity), np.int64)
    buyers = activity.spend > 0
    m[buyers] = quintile_scores(activity.spend[buyers])
    return RfmScores(activity=activity, r=r, f=f, m=m, group=group_of(r, f, m))


def _median(values: np.ndarray) -> float | None:
    return round(float(np.median(values)), 2) if len(values) else None


def group_figures(scores: RfmScores) -> dict[str, dict[str, float | int | None]]:
    """Each group's size, share of the shoppers scored, and the medians that define it."""
    activity, total = scores.activity, max(len(scores.activity), 1)
    out: dict[str, dict[str, float | int | None]] = {}
    for index, group in enumerate(GROUPS):
        mask = scores.group == index
        out[group.key] = {
            "size": int(mask.sum()),
            "share": round(float(mask.sum()) / total, 4),
            "recency_days": _median(activity.recency_days[mask]),
            "active_days": _median(activity.active_days[mask]),
            "orders": _median(activity.orders[mask]),
            "spend": _median(activity.spend[mask]),
        }
    return out
