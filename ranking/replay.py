"""Replaying history: cut it at a moment and find the candidates, with their features, that
the shoppers who came back after the cut would have been offered. Training labels them
(``ranking.training``); the self-check ranks them (``ranking.selfcheck``)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ranking.candidates.generators import score_all, top_candidates
from ranking.features import Context, featurize
from ranking.history import History, shopper_segments
from ranking.world import World

# Shoppers scored at once: each generator's scores are a dense block × universe matrix, so a
# block holds at most ``BLOCK_CELLS`` of them (1,000 shoppers over a 25,000-item universe).
BLOCK = 1000
BLOCK_CELLS = 25_000_000
# Blocks scored side by side: NumPy's partitioning and SciPy's products run without the GIL. Each
# block holds a dense score matrix per generator, so more threads than cores buy nothing but memory.
THREADS = min(4, os.cpu_count() or 1)


@dataclass
class Cut:
    before: np.ndarray  # mask of the events before the cut
    after: dict[int, dict[int, int]]  # {shopper: {item: best grade after the cut}}, items new to them
    returns: dict[int, tuple[float, int]]  # {shopper: (time, device code) of their first event after the cut}


def global_cut_times(times: np.ndarray, shares: Sequence[float]) -> list[float]:
    """One moment per share (ascending) at which a global cut holds back about that share of the
    events, each strictly earlier than the one before. Timestamps as coarse as a period (a year,
    a quarter) put several shares on the same moment; the later share then moves back to the
    previous moment the data has, so every cut holds back something the others do not. Fewer
    moments than shares when the data has too few (a cut must leave some events before it)."""
    ordered = np.sort(times)
    moments: list[float] = []
    for share in shares:
        if not len(ordered):
            break
        at = float(ordered[min(int(len(ordered) * (1 - share)), len(ordered) - 1)])
        if moments and at >= moments[-1]:
            earlier = ordered[ordered < moments[-1]]
            if not len(earlier):
                break
            at = float(earlier[-1])
        if at <= ordered[0]:
            break  # nothing would be left before the cut
        moments.append(at)
    return moments


def cut(history: History, mode: str, share: float, *, at: float | None = None) -> Cut:
    """Hold back the events after the cut: what each shopper did next, and when and where they
    came back. A global cut holds back the last ``share`` of the events, or everything from ``at``
    (``global_cut_times``) when given; a per-shopper cut each shopper's last ``share``."""
    n = len(history.t)
    order = np.lexsort((np.arange(n), history.t))
    held = np.zeros(n, bool)
    if mode == "global":
        held = history.t >= (history.t[order[int(n * (1 - share))]] if at is None else at)
    else:
        by_user = order[np.argsort(history.u[order], kind="stable")]
        users = history.u[by_user]
        bounds = np.r_[0, np.flatnonzero(np.diff(users)) + 1, n]
        for a, b in itertools.pairwise(bounds):
            if b - a >= 2:
                held[by_user[b - max(1, int((b - a) * share)) : b]] = True
    seen: dict[int, set[int]] = {}
    for u, i in zip(history.u[~held].tolist(), history.i[~held].tolist(), strict=True):
        seen.setdefault(u, set()).add(i)
    # A shopper with nothing before the cut is a newcomer: an example of cold start only when they
    # picked interests (what else would tell their candidates apart is the context, which every
    # shopper's examples teach); an imported dataset without interests keeps its examples as they were.
    picked = {history.shopper_index[s] for s in history.facts.interest_shopper.tolist() if s in history.shopper_index}
    nothing: set[int] = set()
    after: dict[int, dict[int, int]] = {}
    for u, i, g in zip(history.u[held].tolist(), history.i[held].tolist(), history.g[held].tolist(), strict=True):
        if (u in seen or u in picked) and i not in seen.get(u, nothing) and g > 0:
            best = after.setdefault(u, {})
            best[i] = max(best.get(i, 0), g)
    returns: dict[int, tuple[float, int]] = {}
    for n in order[held[order]].tolist():  # held events, earliest first
        returns.setdefault(int(history.u[n]), (float(history.t[n]), int(history.d[n])))
    return Cut(before=~held, after=after, returns=returns)


def candidates_for(
    world: World, history: History, users: list[int], returns: dict[int, tuple[float, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shopper, item index, features) rows for ``users``, in blocks, each in the context it came back in."""
    facts = history.facts
    # Segments as of when each shopper came back (the others: as of the end of ``history``).
    moments = np.full(history.nu, float(history.t.max()) if len(history.t) else 0.0)
    for u, (t, _) in returns.items():
        moments[u] = t
    segment = shopper_segments(history, moments)
    picked: dict[int, list[tuple[int, float]]] = {}  # shopper id → (tag column, when picked)
    for shopper, tag, at in zip(
        facts.interest_shopper.tolist(), facts.interest_tag.tolist(), facts.interest_t.tolist(), strict=True
    ):
        picked.setdefault(shopper, []).append((tag, at))

    def block_rows(chunk: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        block = world.block_from_history(history, chunk)
        scores = score_all(world, block, fail_open=False)
        rows, items = top_candidates(world, block, scores, world.config.n_per_gen)
        when = [returns[u][0] for u in chunk]
        context = Context(
            when=np.array(when),
            device=np.array([returns[u][1] for u in chunk], np.int64),
            # the interests picked by the time the shopper came back
            interests=tuple(
                np.array([tag for tag, at in picked.get(int(history.shoppers[u]), ()) if at <= t], np.int64)
                for u, t in zip(chunk, when, strict=True)
            ),
            segment=segment[chunk],
        )
        return np.asarray(chunk)[rows], items, featurize(world, block, scores, rows, items, context=context)

    size = max(1, min(BLOCK, BLOCK_CELLS // max(len(world.universe), 1)))
    chunks = [users[start : start + size] for start in range(0, len(users), size)]
    with ThreadPoolExecutor(THREADS) as pool:
        out_u, out_i, out_f = zip(*pool.map(block_rows, chunks), strict=True)
    return np.concatenate(out_u), np.concatenate(out_i), np.vstack(out_f)
