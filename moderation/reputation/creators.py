"""Creator reputation: what moderators decided about a creator's items, what shoppers did with them,
and how long the creator has been around.

Every rate is Beta-smoothed towards what a typical creator gets, so that a little evidence moves a
creator a little and a new creator sits exactly at the prior (``NEUTRAL`` = 0.5):

    removed share   s = (removed + K_ITEMS · BASE_REMOVED) / (judged + K_ITEMS)
    upheld reports  q = (upheld + K_ITEMS · BASE_UPHELD) / (judged + K_ITEMS)
    hide rate       h = (hides + K_SHOWN · BASE_HIDE) / (shown + K_SHOWN)
    like rate       l = (likes + K_SHOWN · BASE_LIKE) / (shown + K_SHOWN)
    purchase rate   p = (purchases + K_PURCHASES · BASE_PURCHASE) / (shown + K_PURCHASES)
    watch-through   w = (watch_sum + K_WATCH · BASE_WATCH) / (watch_events + K_WATCH)

    badness         b = (3 s/BASE_REMOVED + h/BASE_HIDE + 2 q/BASE_UPHELD) / 6      (1 = typical)
    quality         g = clamp((l/BASE_LIKE · p/BASE_PURCHASE · w/BASE_WATCH)^(1/3), 1/QUALITY_SPAN, QUALITY_SPAN)
    tenure          τ = 1 + TENURE_BONUS · age / (age + TENURE_DAYS)                 (1 for a new account)
    reputation      r = 1 / (1 + b² / (g · τ))

``judged`` counts the creator's items that were published or removed (removed ones included),
``removed`` those moderators removed, ``upheld`` the shoppers' reports on their items that a
moderator upheld. ``shown`` is ``max(impressions, views, hides, likes, purchases)``: clients that
send both an impression and a view of a card count it once, and an import that sends only likes or
hides still has a denominator. Likes are net of unlikes. ``watch_sum / watch_events`` is the mean
fraction reached by the "video_progress" events (the tracker sends them at 25/50/75/100 %).

So a new creator with no evidence has ``r = 0.5``. Badness enters squared: removals and upheld
reports (weighted 3 and 2) pull down strongly, and a creator whose six items were all removed
falls to 0.05, below the default bar (``FEED_MIN_CREATOR_REPUTATION`` = 0.2), where engagement and
age can at most multiply the odds by ``QUALITY_SPAN · (1 + TENURE_BONUS)`` = 2.25 (0.10). A clean,
engaging, long-standing creator tends to 1. Engagement and age only scale the odds: they never
outweigh what moderators found.
"""

from __future__ import annotations

from dataclasses import dataclass

from ranking.signals import NEUTRAL_REPUTATION

NEUTRAL = NEUTRAL_REPUTATION

# What a typical creator gets, by judgement until there is data to fit them on.
BASE_REMOVED = 0.05  # one item in twenty removed
BASE_UPHELD = 0.02  # one upheld report per fifty items
BASE_HIDE = 0.02  # one card shown in fifty hidden ("not interested")
BASE_LIKE = 0.05  # one like per twenty cards shown
BASE_PURCHASE = 0.005  # one purchase per two hundred cards shown
BASE_WATCH = 0.5  # the mean fraction reached by video progress events
# How much evidence each prior weighs.
K_ITEMS = 10.0
K_SHOWN = 200.0
K_PURCHASES = 1000.0
K_WATCH = 50.0
# Weights of the badness terms (their sum is the divisor): removals, hides, upheld reports.
W_REMOVED, W_HIDE, W_UPHELD = 3.0, 1.0, 2.0
# Engagement may scale the odds by at most this factor either way; age by at most 1 + TENURE_BONUS.
QUALITY_SPAN = 1.5
TENURE_BONUS = 0.5
TENURE_DAYS = 180.0


@dataclass(frozen=True)
class Evidence:
    judged: int = 0  # items published or removed
    removed: int = 0
    upheld: int = 0  # upheld reports on the creator's items
    impressions: int = 0
    views: int = 0
    hides: int = 0
    likes: int = 0  # net of unlikes
    purchases: int = 0
    watch_events: int = 0
    watch_sum: float = 0.0  # fractions 0..1, one per video progress event
    age_days: int = 0

    @property
    def shown(self) -> int:
        return max(self.impressions, self.views, self.hides, self.likes, self.purchases)


@dataclass(frozen=True)
class Terms:
    """The formula's intermediate values, for the admin's breakdown and the tests."""

    removed_share: float
    upheld_rate: float
    hide_rate: float
    like_rate: float
    purchase_rate: float
    watch_through: float
    badness: float
    quality: float
    tenure: float
    reputation: float


def terms(evidence: Evidence) -> Terms:
    """Every step of the module docstring's formula for ``evidence``."""
    e = evidence
    shown = e.shown
    removed_share = (e.removed + K_ITEMS * BASE_REMOVED) / (e.judged + K_ITEMS)
    upheld_rate = (e.upheld + K_ITEMS * BASE_UPHELD) / (e.judged + K_ITEMS)
    hide_rate = (e.hides + K_SHOWN * BASE_HIDE) / (shown + K_SHOWN)
    like_rate = (e.likes + K_SHOWN * BASE_LIKE) / (shown + K_SHOWN)
    purchase_rate = (e.purchases + K_PURCHASES * BASE_PURCHASE) / (shown + K_PURCHASES)
    watch_through = (e.watch_sum + K_WATCH * BASE_WATCH) / (e.watch_events + K_WATCH)
    badness = (
        W_REMOVED * removed_share / BASE_REMOVED + W_HIDE * hide_rate / BASE_HIDE + W_UPHELD * upheld_rate / BASE_UPHELD
    ) / (W_REMOVED + W_HIDE + W_UPHELD)
    raw_quality = (like_rate / BASE_LIKE * purchase_rate / BASE_PURCHASE * watch_through / BASE_WATCH) ** (1 / 3)
    quality = min(max(raw_quality, 1 / QUALITY_SPAN), QUALITY_SPAN)
    tenure = 1.0 + TENURE_BONUS * e.age_days / (e.age_days + TENURE_DAYS)
    return Terms(
        removed_share=removed_share,
        upheld_rate=upheld_rate,
        hide_rate=hide_rate,
        like_rate=like_rate,
        purchase_rate=purchase_rate,
        watch_through=watch_through,
        badness=badness,
        quality=quality,
        tenure=tenure,
        reputation=1.0 / (1.0 + badness * badness / (quality * tenure)),
    )


def reputation(evidence: Evidence) -> float:
    """The formula of the module docstring; in (0, 1), ``NEUTRAL`` for ``Evidence()``."""
    return terms(evidence).reputation


def breakdown(evidence: Evidence) -> list[str]:
    """What the formula did, one line per step, for a moderator (typical values in brackets)."""
    e, t = evidence, terms(evidence)
    return [
        f"Removed {e.removed} of {e.judged} items judged: removal share {t.removed_share:.3f} (typical {BASE_REMOVED})",
        f"Upheld reports {e.upheld}: {t.upheld_rate:.3f} per item (typical {BASE_UPHELD})",
        f"Hidden {e.hides} times in {e.shown} cards shown: hide rate {t.hide_rate:.4f} (typical {BASE_HIDE})",
        f"→ badness {t.badness:.2f} (1 = typical; weights removals {W_REMOVED:g}, hides {W_HIDE:g}, "
        f"upheld reports {W_UPHELD:g})",
        f"Liked {e.likes} times: {t.like_rate:.4f} per card (typical {BASE_LIKE}); bought {e.purchases} times: "
        f"{t.purchase_rate:.4f} per card (typical {BASE_PURCHASE}); watch-through {t.watch_through:.2f} over "
        f"{e.watch_events} progress events (typical {BASE_WATCH})",
        f"→ engagement quality ×{t.quality:.2f} (between ×{1 / QUALITY_SPAN:.2f} and ×{QUALITY_SPAN:g})",
        f"Account {e.age_days} days old → tenure ×{t.tenure:.2f}",
        f"Reputation = 1 / (1 + {t.badness:.2f}² / ({t.quality:.2f} × {t.tenure:.2f})) = {t.reputation:.3f}",
    ]
