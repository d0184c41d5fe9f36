"""A synthetic dataset in the interchange format (``../shared/data/FORMAT.md``), for scale checks.

    python bench/synthetic_dataset.py OUT_DIR [--events 1500000] [--users 300000] [--items 100000]
        [--kinds view,view,view,view,view,view,click,add_to_cart,purchase] [--periods N]

Shoppers have a taste over 40 categories (Dirichlet, most of it on one or two) and a heavy-tailed
activity (Pareto: a few crawler-sized shoppers with tens of thousands of events); items have Zipf
popularity. Each event is an item of one of the shopper's categories by popularity, or (1 in 5)
any item by popularity, at a time within the shopper's own active stretch of two years (with
``--periods N``, snapped to the start of one of N equal periods of the two years, as a review set
that dates events by quarter or year does). It is not
real data: use it to see how ``import_dataset``, ``train_ranker`` and ``recommend`` scale, not to
judge ranking quality.
"""

from __future__ import annotations

import argparse
import csv
import gzip
from pathlib import Path

import numpy as np

CATEGORIES = 40
YEARS = 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--events", type=int, default=1_500_000)
    parser.add_argument("--users", type=int, default=300_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--kinds", default="view,view,view,view,view,view,click,add_to_cart,purchase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--periods", type=int, default=0, help="snap times to N coarse periods (0: seconds)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    kinds = np.array(args.kinds.split(","))

    item_cat = rng.integers(CATEGORIES, size=args.items)
    popularity = 1 / np.arange(1, args.items + 1) ** 0.9
    rng.shuffle(popularity)
    taste = np.cumsum(rng.dirichlet(np.full(CATEGORIES, 0.15), size=args.users), axis=1)
    activity = rng.pareto(1.2, args.users) + 1
    users = rng.choice(args.users, size=args.events, p=activity / activity.sum())

    category = np.minimum((taste[users] < rng.random(args.events)[:, None]).sum(1), CATEGORIES - 1)
    items = np.empty(args.events, np.int64)
    for c in range(CATEGORIES):
        members = np.flatnonzero(item_cat == c)
        at = np.flatnonzero(category == c)
        cdf = np.cumsum(popularity[members]) / popularity[members].sum()
        items[at] = members[np.minimum(np.searchsorted(cdf, rng.random(len(at))), len(members) - 1)]
    wander = rng.random(args.events) < 0.2
    cdf = np.cumsum(popularity) / popularity.sum()
    items[wander] = np.minimum(np.searchsorted(cdf, rng.random(int(wander.sum()))), args.items - 1)
    span = YEARS * 365 * 86400
    start = rng.uniform(0, span * 0.8, args.users)
    times = (1.5e9 + start[users] + rng.uniform(0, span * 0.2, args.events)).astype(np.int64)
    if args.periods:
        period = span / args.periods
        times = (1.5e9 + ((times - 1.5e9) // period) * period).astype(np.int64)
    kind = kinds[rng.integers(len(kinds), size=args.events)]

    args.out.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out / "items.csv.gz", "wt", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["item_id", "category", "title", "price"])
        prices = rng.uniform(5, 200, args.items).round(2)
        for i in range(args.items):
            writer.writerow([f"i{i}", f"Dept {item_cat[i] // 8} > Cat {item_cat[i]}", f"Item {i}", prices[i]])
    with gzip.open(args.out / "events.csv.gz", "wt", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["user_id", "item_id", "event", "ts"])
        writer.writerows(zip((f"u{u}" for u in users), (f"i{i}" for i in items), kind, times, strict=True))
    print(f"{args.events:,} events of {len(np.unique(users)):,} users over {args.items:,} items in {args.out}")


if __name__ == "__main__":
    main()
