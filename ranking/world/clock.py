"""The world's clock: time units, sessions, and the parts of the day and week context features use."""

from __future__ import annotations

import numpy as np

DAY = 86400.0
HOUR = 3600.0
# A session ends after this long without an event (``profiles.events.state.SESSION_GAP_SECONDS``).
SESSION_GAP = 30 * 60.0
DAYPARTS = 4  # of 6 hours, UTC


def daypart(t: np.ndarray) -> np.ndarray:
    return ((t % DAY) // (DAY / DAYPARTS)).astype(np.int64)


def weekday(t: np.ndarray) -> np.ndarray:
    """Monday 0 … Sunday 6 (1 January 1970 was a Thursday)."""
    return ((t // DAY + 3) % 7).astype(np.int64)
