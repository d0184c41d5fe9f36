"""The fitted world the ranker sees: item statistics and the structures of the candidate generators.

``World.fit(history)`` computes, from interactions up to one moment (``world.now``):

* item statistics over every known item: log popularity (all time and decayed with 30/90/365-day
  half-lives), first and last interaction, smoothed mean rating, root category;
* the candidate universe: items at least ``min_item_users`` shoppers touched;
* item–item cosine neighbours (top ``cos_topk``) and an EASE model over the ``ease_items`` most
  touched items (Steck 2019: a closed-form linear item-item model, strong on sparse data);
* item factors of implicit-feedback ALS over the universe (the ``implicit`` library), from which
  each shopper's factors are solved at scoring time (``candidates.generators``);
* time buckets of interactions for time-local ("trending at your time") popularity;
* context: how much more (or less) each item is engaged with in each part of the day, on each
  weekday and on each device class than items are in general (smoothed towards 1);
* creators: popularity, followers as of ``now``, reputation; items: first product's price, stock;
* counters of items and creators: engagements and impressions decayed with the real-time store's
  half-lives (``state.RANKING_COLUMNS``: 1 h, 24 h, 7 d), counted as its consumer counts them, so
  that serving can read the same numbers fresher from the store and fall back on these;
* shoppers' segment codes as of ``now`` (``shopper_segment``), set by training for serving.

Training fits one world per replay cut and serving uses the world fitted with the active model,
so item statistics are always "as of" the world's clock (``world.now``), never the wall clock: the
same code gives the same features to a replayed past and to a live request.

Public, imported here: ``World`` and ``Counts`` (``fitted``), ``WorldConfig`` (``config``),
``UserBlock`` (``blocks``: what generators and features need of some shoppers), and the clock's
``DAY``, ``HOUR``, ``SESSION_GAP``, ``DAYPARTS``, ``daypart``, ``weekday`` (``clock``). ``fitting``
holds the steps of ``World.fit``, for this package only.
"""

from ranking.world.blocks import UserBlock
from ranking.world.clock import DAY, DAYPARTS, HOUR, SESSION_GAP, daypart, weekday
from ranking.world.config import WorldConfig
from ranking.world.fitted import Counts, World

__all__ = [
    "DAY",
    "DAYPARTS",
    "HOUR",
    "SESSION_GAP",
    "Counts",
    "UserBlock",
    "World",
    "WorldConfig",
    "daypart",
    "weekday",
]
