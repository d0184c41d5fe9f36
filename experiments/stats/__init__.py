"""Statistics of experiments: pure functions over counts and numpy arrays, no models, no database.

Public (import from ``experiments.stats``):

- ``Comparison``, ``compare_proportions``, ``compare_means`` (with CUPED), ``compare_ratios``,
  ``cuped``: one metric, one treatment against the control (``compare``, ``comparison``);
- ``SampleRatio``, ``sample_ratio``: the sample-ratio mismatch check; ``adjust``: the correction
  across metrics (``checks``);
- ``Preference``, ``preference``: an interleaving's preference share (``interleaving``);
- ``sequence_multiplier``, ``DEFAULT_HORIZON``: the always-valid interval's width (``sequential``);
- ``as_json``: any of these records as JSON (``nan`` → ``None``).

What each test is and how to read it, for marketers: ``docs/experiments/statistics.md``.
"""

from experiments.stats.checks import SRM_THRESHOLD, SampleRatio, adjust, sample_ratio
from experiments.stats.compare import compare_means, compare_proportions, compare_ratios, cuped, ratio_of_sums
from experiments.stats.comparison import Comparison, as_json
from experiments.stats.interleaving import Preference, preference
from experiments.stats.sequential import DEFAULT_HORIZON, sequence_multiplier

__all__ = [
    "DEFAULT_HORIZON",
    "SRM_THRESHOLD",
    "Comparison",
    "Preference",
    "SampleRatio",
    "adjust",
    "as_json",
    "compare_means",
    "compare_proportions",
    "compare_ratios",
    "cuped",
    "preference",
    "ratio_of_sums",
    "sample_ratio",
    "sequence_multiplier",
]
