"""What an experiment can measure: each metric's kind and which direction is good.

``kind`` says which test reads it (``experiments.stats``): ``proportion`` (share of shoppers who
did it at least once), ``mean`` (a figure per shopper, Welch's t) or ``ratio`` (a sum over a sum
per shopper, e.g. clicks over impressions: the delta method).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    label: str
    kind: str  # "proportion" | "mean" | "ratio"
    higher_is_better: bool = True


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("click_through", "Click-through (opens and product clicks per impression)", "ratio"),
        Metric("engaged_sessions", "Engaged sessions (share of feed sessions with an engagement)", "ratio"),
        Metric("time_in_feed", "Time in feed per shopper (seconds)", "mean"),
        Metric("watch_through", "Watch-through (share of each video watched)", "ratio"),
        Metric("add_to_cart", "Add-to-cart rate (shoppers who added to a cart)", "proportion"),
        Metric("conversion", "Conversion (shoppers who ordered)", "proportion"),
        Metric("revenue", "Revenue per shopper", "mean"),
        Metric("hide_rate", "Hides and reports per impression", "ratio", higher_is_better=False),
        Metric("skip_rate", "Skips per impression", "ratio", higher_is_better=False),
    )
}


def metric_choices() -> list[tuple[str, str]]:
    return [(m.name, m.label) for m in METRICS.values()]
