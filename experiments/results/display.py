"""The report's figures as text, the same on the results page and in ``experiment_report``."""

from __future__ import annotations

from typing import Any

from experiments.models import Experiment

DASH = "–"
KIND_LABELS = dict(Experiment.Kind.choices)
STATUS_LABELS = dict(Experiment.Status.choices)
ROLE_LABELS = {"primary": "primary", "secondary": "secondary", "guardrail": "guardrail"}


def minute(iso: str) -> str:
    """An ISO moment of the report to the minute: ``2025-04-01 00:00``."""
    return iso[:16].replace("T", " ")


def percent(value: float | None, *, digits: int = 1, signed: bool = False) -> str:
    if value is None:
        return DASH
    text = f"{value * 100:+.{digits}f} %" if signed else f"{value * 100:.{digits}f} %"
    return text.replace("-", "−")


def number(value: float | None, *, digits: int = 2) -> str:
    return DASH if value is None else f"{value:,.{digits}f}".replace("-", "−")


def figure(value: float | None, unit: str) -> str:
    """A metric's value in one arm: a share as a percentage, seconds and money as numbers."""
    return percent(value, digits=2) if unit == "percent" else number(value)


def interval(low: float | None, high: float | None) -> str:
    """``+4.1 to +12.3 %``: an interval on a lift, the unit once."""
    if low is None or high is None:
        return DASH
    return f"{percent(low, signed=True).removesuffix(' %')} to {percent(high, signed=True)}"


def p_value(value: float | None) -> str:
    if value is None:
        return DASH
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


def cuped(value: float | None) -> str:
    """The share of variance CUPED removed, as the page and the command say it."""
    return DASH if value is None else f"{percent(value, digits=0)} less variance"


def metric_cells(row: dict[str, Any]) -> dict[str, str]:
    """One metric's row of the comparison table, as text."""
    name, _, definition = row["label"].partition(" (")
    cuped_text = f"CUPED: {cuped(row['cuped'])}" if row["cuped"] is not None else ""
    return {
        "metric": row["metric"],
        "label": row["label"],
        "name": name,
        # What the metric counts, then how it was read: under its name on the page.
        "detail": "; ".join(part for part in (definition.removesuffix(")"), cuped_text, row.get("note", "")) if part),
        "role": ROLE_LABELS.get(row["role"], row["role"]),
        "n": f"{row['n_control']:,} / {row['n_treatment']:,}",
        "control": figure(row["control"], row["unit"]),
        "treatment": figure(row["treatment"], row["unit"]),
        "lift": percent(row["lift"], signed=True),
        "interval": interval(row["lift_low"], row["lift_high"]),
        "sequential": interval(row["seq_low"], row["seq_high"]),
        "p_value": p_value(row["p_value"]),
        "p_adjusted": p_value(row["p_adjusted"]),
        "cuped": cuped(row["cuped"]),
        "verdict": row["verdict"],
        "note": row.get("note", ""),
    }


def guardrail_text(guard: dict[str, Any]) -> str:
    state = "BREACHED" if guard["breached"] else "holding"
    return (
        f"{guard['variant']}: {guard['metric']} {state} "
        f"(lift {percent(guard['lift'], signed=True)}, sequential {interval(guard['seq_low'], guard['seq_high'])})"
    )


def srm_text(srm: dict[str, Any]) -> str:
    """One sentence on the split: the mismatch banner's text when flagged."""
    step = (
        f" (rollout step {srm['rollout_step'] + 1}, its shoppers only)" if srm.get("rollout_step") is not None else ""
    )
    chi2 = DASH if srm["chi2"] is None else f"{srm['chi2']:.2f}"
    if srm["flagged"]:
        return (
            f"Sample ratio mismatch{step}: the split of exposed shoppers is not what the weights call for "
            f"(χ² {chi2}, p {p_value(srm['p_value'])} < {srm['threshold']}). Assignment or exposure logging is "
            "broken: do not read these results until it is explained."
        )
    p = p_value(srm["p_value"])
    return f"Split as designed{step}: χ² {chi2}, p {p} (a mismatch is flagged below {srm['threshold']})."


def preference_text(preference: dict[str, Any]) -> str:
    share = percent(preference["share_a"])
    low_high = DASH if preference["low"] is None else f"{percent(preference['low'])} to {percent(preference['high'])}"
    return (
        f"Shoppers preferring A ({preference['team_a']}): {share} of {preference['wins_a'] + preference['wins_b']:,} "
        f"who preferred one ({low_high}, p {p_value(preference['p_value'])}); "
        f"{preference['wins_a']:,} A, {preference['wins_b']:,} B, {preference['ties']:,} ties, "
        f"{preference['no_credit']:,} without a click, over {preference['pages']:,} pages."
    )
