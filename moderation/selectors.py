"""Reads of moderation that other apps build into their own queries (no query of their own)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, F
from django.db.models.fields import BooleanField
from django.db.models.sql.compiler import SQLCompiler

from moderation.models import CreatorStanding, ShopperTrust
from moderation.reputation import NEUTRAL


class CreatorInGoodStanding(Expression):
    """A filter on content items: no creator, or a creator neither blocked nor below ``minimum``
    reputation; a creator without a standing row is neutral (``NEUTRAL``).

    The SQL is what ``~Exists(CreatorStanding.objects.filter(creator=OuterRef("creator_id")) …)``
    compiles to (an anti-join on the standing's unique creator index), written out because it sits
    in every query of the feed path, where building and resolving that queryset would cost more
    than the rest of the query's compilation.
    """

    conditional = True

    def __init__(self, minimum: float, column: str = "creator_id") -> None:
        super().__init__(output_field=BooleanField())
        self.minimum = minimum
        # ``creator_id`` on content items; ``pk`` on creators themselves (``creator_servable``).
        self.creator: Any = F(column)  # a column of the caller's query once resolved

    def get_source_expressions(self) -> list[Any]:
        return [self.creator]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.creator,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        creator, params = compiler.compile(self.creator)
        table = connection.ops.quote_name(CreatorStanding._meta.db_table)
        bad = f"SELECT 1 FROM {table} s WHERE s.creator_id = {creator} AND (s.blocked OR s.reputation < %s)"
        if self.minimum <= NEUTRAL:
            return f"NOT EXISTS ({bad})", [*params, self.minimum]
        # A bar above neutral also keeps out the creators nobody has judged yet (no row).
        good = f"SELECT 1 FROM {table} s WHERE s.creator_id = {creator} AND NOT (s.blocked OR s.reputation < %s)"
        return f"({creator} IS NULL OR EXISTS ({good}))", [*params, *params, self.minimum]


def creator_in_good_standing(**_: object) -> CreatorInGoodStanding:
    """``content.signals.servable_conditions`` (connected in ``ModerationConfig.ready``): items of
    blocked creators, and of creators below ``FEED_MIN_CREATOR_REPUTATION``, are not served."""
    return _standing_at(settings.FEED_MIN_CREATOR_REPUTATION)


def creator_servable(**_: object) -> CreatorInGoodStanding:
    """``content.signals.creator_servable_conditions`` (connected in ``ModerationConfig.ready``):
    the same rule on ``Creator`` rows, so a blocked creator's page is not shown either."""
    return _standing_at(settings.FEED_MIN_CREATOR_REPUTATION, "pk")


@functools.lru_cache(maxsize=8)
def _standing_at(minimum: float, column: str = "creator_id") -> CreatorInGoodStanding:
    """One condition per bar, built once: a query resolves a copy of it and leaves it as it was, and
    the same object hashes from its cached identity, where a new one would make ``published_sql``'s
    cache lookup hash its deconstruction on every feed page."""
    return CreatorInGoodStanding(minimum, column)


def creator_reputations(**_: object) -> dict[int, float]:
    """``ranking.signals.creator_reputations``: every creator's reputation that has a standing row
    (the others are neutral); one query."""
    return dict(CreatorStanding.objects.values_list("creator_id", "reputation"))


def shopper_weights(**_: object) -> dict[int, float]:
    """``ranking.signals.shopper_weights``: the shoppers whose interactions count less (trust below
    ``MODERATION_LOW_TRUST``), each by their trust; one query."""
    low = ShopperTrust.objects.filter(trust__lt=settings.MODERATION_LOW_TRUST)
    return dict(low.values_list("shopper_id", "trust"))
