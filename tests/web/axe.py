"""axe-core (npm, ``make vendor``) in the browser tests: a page's serious and critical violations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# What a shopper would be stopped by; "moderate" and "minor" findings are reported, not failed.
BLOCKING = ("serious", "critical")


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on ``page`` as it is now, worst first."""
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is missing: make vendor installs it (npm ci)")
        pytest.skip("axe-core is not installed: run make vendor (needs npm)")
    # Colours mid-animation (a sheet fading in) are not what the shopper reads.
    page.wait_for_function(
        """() => document.getAnimations().every(
            a => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity)"""
    )
    # Evaluated through the DevTools protocol: a <script> tag would break the page's own CSP.
    page.evaluate(AXE.read_text() + "\n;undefined")
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}))
            .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return sorted(found, key=lambda v: BLOCKING.index(v["impact"]) if v["impact"] in BLOCKING else 9)


def blocking(page: Any) -> list[dict[str, Any]]:
    return [v for v in violations(page) if v["impact"] in BLOCKING]
