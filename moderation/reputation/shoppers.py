"""Shopper trust: how much a shopper's events are believed, from signs of automation.

Read from the shopper's events of the last ``MODERATION_TRUST_WINDOW_DAYS`` (at most the latest
``MODERATION_TRUST_MAX_EVENTS``), three inputs, each turned into a factor in 0..1:

    rate        f_r = min(1, RATE_OK / peak)          peak: the most events in any one minute
    regularity  f_c = min(1, cv / CV_OK)              cv: coefficient of variation of the gaps
                                                      between events (at least MIN_GAPS gaps, else 1)
    exposure    f_u = 1 − unexposed / (actions + K_ACTIONS)
                                                      actions: likes, shares and carts; unexposed:
                                                      those on items never shown to the shopper before

    trust       t = f_r · f_c · f_u                   (1 without evidence)

People scroll in bursts and pauses (gaps vary as much as their mean or more: cv ≥ 1), rarely see
more than a card a second, and like what they were shown; a script fires at a fixed pace, fast, and
likes items by id. A shopper at 120 events a minute gets f_r = 0.5; one whose gaps vary by 5 % of
their mean gets f_c = 0.1; ten likes of items never shown, out of ten actions, f_u = 0.33. Below
``MODERATION_LOW_TRUST`` (0.5) a shopper's interactions count in counters and trending by their
trust (``moderation.reputation.services.shopper_trust_advance``).

"Shown" is any event that puts the card in front of the shopper (``EXPOSING``), at or before the
action. Event times are the client's (``occurred_at``): a script that forges irregular times is not
caught by ``f_c``, but still by the rate and exposure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RATE_OK = 60.0  # events a minute: a card a second
CV_OK = 0.5
MIN_GAPS = 20
K_ACTIONS = 5.0
# What a script does to move counters; what shows a card.
ACTIONS = frozenset({"like", "share", "add_to_cart"})
EXPOSING = frozenset({"impression", "view", "dwell", "video_progress", "open"})
FULL_TRUST = 1.0


@dataclass(frozen=True)
class TrustInputs:
    events: int = 0
    impressions: int = 0
    actions: int = 0
    unexposed_actions: int = 0
    peak_per_minute: int = 0
    gap_cv: float | None = None


@dataclass(frozen=True)
class Factors:
    rate: float
    regularity: float
    exposure: float

    @property
    def trust(self) -> float:
        return self.rate * self.regularity * self.exposure


def factors(inputs: TrustInputs) -> Factors:
    """Each penalty of the module docstring, 1 where there is no evidence."""
    rate = min(1.0, RATE_OK / inputs.peak_per_minute) if inputs.peak_per_minute else 1.0
    regularity = 1.0 if inputs.gap_cv is None else min(1.0, inputs.gap_cv / CV_OK)
    exposure = 1.0 - inputs.unexposed_actions / (inputs.actions + K_ACTIONS)
    return Factors(rate=rate, regularity=regularity, exposure=exposure)


def trust(inputs: TrustInputs) -> float:
    """The formula of the module docstring; in 0..1, ``FULL_TRUST`` for ``TrustInputs()``."""
    return factors(inputs).trust


def inputs_of(times: Sequence[float], types: Sequence[str], unexposed: int) -> TrustInputs:
    """A shopper's inputs from their events' times (Unix seconds, any order) and types, and the
    number of their actions on items never shown to them (found by the caller's query)."""
    stamps = np.sort(np.asarray(times, np.float64))
    gap_cv = None
    if len(stamps) > MIN_GAPS:
        gaps = np.diff(stamps)
        mean = float(gaps.mean())
        # All at one instant: no pace to judge (the rate factor sees the burst).
        gap_cv = float(gaps.std() / mean) if mean > 0 else None
    peak = 0
    if len(stamps):
        # The most events in any window of sixty seconds: for each event, those in the minute from it.
        peak = int((np.searchsorted(stamps, stamps + 60.0, side="left") - np.arange(len(stamps))).max())
    return TrustInputs(
        events=len(stamps),
        impressions=sum(1 for kind in types if kind == "impression"),
        actions=sum(1 for kind in types if kind in ACTIONS),
        unexposed_actions=unexposed,
        peak_per_minute=peak,
        gap_cv=gap_cv,
    )


def breakdown(inputs: TrustInputs) -> list[str]:
    """What the formula did, one line per factor, for a moderator."""
    f = factors(inputs)
    cv = "not enough events" if inputs.gap_cv is None else f"{inputs.gap_cv:.2f}"
    return [
        f"{inputs.events} events ({inputs.impressions} impressions) in the window",
        f"Peak {inputs.peak_per_minute} events in a minute (ok up to {RATE_OK:g}) → ×{f.rate:.2f}",
        f"Variation of the gaps between events {cv} (people ≥ {CV_OK}) → ×{f.regularity:.2f}",
        f"{inputs.unexposed_actions} of {inputs.actions} likes, shares and carts on items never shown → "
        f"×{f.exposure:.2f}",
        f"Trust = {f.rate:.2f} × {f.regularity:.2f} × {f.exposure:.2f} = {f.trust:.3f}",
    ]
