"""The project's ASGI application with each shopper's ranking done once and then reused.

``bench/feed.py --without-ranking`` serves this, so that its figures are what a feed page costs
besides ranking: authentication, the served set, card counts, the served-list log, the response.
A page still carries the slots, features and reasons of a real ranking; only ``serving.rank``'s
work is skipped after a shopper's first page. Never served to anyone but the benchmark.
"""

from __future__ import annotations

from typing import Any

from feedsite.asgi import application
from ranking import serving

_rank = serving.rank
_ranked: dict[int, serving.Ranked | None] = {}


def _rank_once(*, shopper: Any, **kwargs: Any) -> serving.Ranked | None:
    if shopper.pk not in _ranked:
        _ranked[shopper.pk] = _rank(shopper=shopper, **kwargs)
    return _ranked[shopper.pk]


serving.rank = _rank_once  # ranking.feed calls it through the module

__all__ = ["application"]
