"""How a world is fitted: candidate generator sizes, EASE's regularisation, half-lives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorldConfig:
    # Sizes were chosen on an internal validation cut of the training data (not on any test set):
    # 50 per generator gives ~200 candidates a shopper; EASE over 4,000 items is 64 MB and fits in
    # under 10 s on 2 cores; λ = 300 is EASE's usual range for sparse data.
    n_per_gen: int = 50
    min_item_users: int = 2
    ease_items: int = 4000
    ease_lambda: float = 300.0
    cos_topk: int = 100
    # Item-item statistics (co-occurrence, EASE) take each shopper's most recent items only: a
    # crawler or a reseller with 80,000 items would otherwise add 80,000² pairs, and say little.
    # (1,000 cost ciao's global split 0.0016 NDCG@20; its heaviest shopper has 1,551 events.)
    max_user_items: int = 3000
    # Implicit-feedback ALS (the ``implicit`` library) over the universe: 64 factors as the
    # evaluation's reference ALS; regularisation, confidence and iterations are the library's defaults.
    als_factors: int = 64
    als_regularization: float = 0.01
    als_alpha: float = 1.0
    als_iterations: int = 15
    trending_widths_days: tuple[float, ...] = (60.0, 180.0)
    pop_half_lives_days: tuple[float, ...] = (30.0, 90.0, 365.0)
    category_half_life_days: float = 180.0
    history_half_life_days: float = 180.0
    bucket_days: float = 30.0
