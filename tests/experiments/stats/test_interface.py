"""The interface the results page is built on (branch ``results``): names, fields and keywords."""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np

from experiments import stats
from experiments.stats import Comparison, Preference, SampleRatio


def test_comparison_fields_in_order():
    assert [f.name for f in dataclasses.fields(Comparison)] == [
        "metric",
        "kind",
        "n_control",
        "n_treatment",
        "control",
        "treatment",
        "diff",
        "diff_low",
        "diff_high",
        "lift",
        "lift_low",
        "lift_high",
        "p_value",
        "seq_low",
        "seq_high",
        "p_adjusted",
        "cuped",
        "alpha",
        "note",
    ]
    assert Comparison.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_other_records_have_their_fields():
    assert [f.name for f in dataclasses.fields(SampleRatio)][:4] == ["chi2", "p_value", "expected", "flagged"]
    assert [f.name for f in dataclasses.fields(Preference)][:7] == [
        "wins_a",
        "wins_b",
        "ties",
        "share_a",
        "low",
        "high",
        "p_value",
    ]


def test_signatures():
    def keywords(function) -> dict[str, object]:
        return {
            name: p.default
            for name, p in inspect.signature(function).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }

    assert list(inspect.signature(stats.compare_proportions).parameters)[:4] == [
        "successes_c",
        "n_c",
        "successes_t",
        "n_t",
    ]
    assert keywords(stats.compare_proportions) == {"alpha": 0.05, "metric": "", "horizon": stats.DEFAULT_HORIZON}
    assert keywords(stats.compare_means) == {
        "alpha": 0.05,
        "pre_c": None,
        "pre_t": None,
        "metric": "",
        "horizon": stats.DEFAULT_HORIZON,
    }
    assert list(inspect.signature(stats.compare_ratios).parameters)[:4] == ["num_c", "den_c", "num_t", "den_t"]
    assert keywords(stats.sample_ratio) == {"threshold": 0.001}
    assert keywords(stats.adjust) == {"method": "holm"}
    assert keywords(stats.preference) == {"alpha": 0.05}


def test_means_and_ratios_take_lists_or_arrays_alike():
    from_lists = stats.compare_means([1.0, 2.0, 4.0], [2.0, 3.0, 5.0])
    from_arrays = stats.compare_means(np.array([1.0, 2.0, 4.0]), np.array([2.0, 3.0, 5.0]))

    assert from_lists == from_arrays
