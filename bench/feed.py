"""Feed serving benchmark: GET /api/v1/feed against a bare Django JSON view, same server, same run.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/feed.py [--requests 2000] [--shoppers 50]

Needs a database with a trained ranker (e.g. after `import_dataset` + `train_ranker`). It signs
in ``--shoppers`` shoppers that have history (a token each), asks their feeds over HTTP from
``--clients`` concurrent connections to one uvicorn worker, and prints latency percentiles (one
request at a time: what a shopper waits), requests/s for both endpoints (``--clients`` at once:
what the process sustains), their ratio, and how many candidates the ranker scored per request.
Throughput is measured in ``--rounds`` rounds, feed then bare view in each (this machine's speed
drifts by ±15 % from minute to minute): the figures are the rounds' medians, with each round's
ratio, and the web process's CPU per request (Linux: ``/proc``), which drifts less.

``--without-ranking`` serves the same pages with each shopper's first ranking reused
(``bench/ranking_memoized.py``): what a feed page costs besides ranking, against the same bare view.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from _common import (
    django_setup,
    free_port,
    heaviest_shoppers,
    percentile,
    require_services,
    start_server,
    trained_ranker,
)


def run(port: int, path_for: Any, requests: int, clients: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for r in range(n, requests, clients):
            path, headers = path_for(r)
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            with lock:
                latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return latencies, requests / (time.perf_counter() - started)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far; NaN without ``/proc``."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds, feed then bare view in each")
    parser.add_argument(
        "--without-ranking", action="store_true", help="reuse each shopper's first ranking: the page's cost besides it"
    )
    args = parser.parse_args()
    require_services()
    django_setup()
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from ranking.policy import policy_for
    from ranking.serving import rank

    trained_ranker()  # exits when there is none
    shoppers = heaviest_shoppers(args.shoppers)
    tokens = []
    for shopper in shoppers:
        if shopper.user_id is None:
            shopper.user = User.objects.create_user(username=f"bench-{shopper.pk}")
            shopper.save(update_fields=["user"])
        tokens.append(Token.objects.get_or_create(user_id=shopper.user_id)[0].key)
    # How many candidates one request scores (what the ranker sees before the mix policy).
    scored = []
    for shopper in shoppers[:20]:
        ranked = rank(shopper=shopper, exclude=set(), size=10_000, policy=policy_for(), first_page=True)
        scored.append(len(ranked.slots) if ranked else 0)

    port = free_port()
    app = "bench.ranking_memoized:application" if args.without_ranking else "feedsite.asgi:application"
    server = start_server(port, workers=1, app=app)
    try:

        def feed(r: int) -> tuple[str, dict[str, str]]:
            return f"/api/v1/feed?limit={args.limit}", {"Authorization": f"Token {tokens[r % len(tokens)]}"}

        def bare(r: int) -> tuple[str, dict[str, str]]:
            return "/healthz", {}

        run(port, feed, min(200, args.requests), args.clients)  # warm-up: model and catalog loaded
        run(port, bare, 200, args.clients)
        # Latency: one request at a time (what a shopper waits). Throughput: --clients at once.
        feed_ms, _ = run(port, feed, args.requests, 1)
        bare_ms, _ = run(port, bare, args.requests, 1)
        rounds: list[dict[str, float]] = []
        for _ in range(args.rounds):
            measured: dict[str, float] = {}
            for name, path_for in (("feed", feed), ("bare", bare)):
                cpu_before = process_cpu_seconds(server.pid)
                _, measured[f"{name}_rps"] = run(port, path_for, args.requests, args.clients)
                measured[f"{name}_cpu_ms"] = (process_cpu_seconds(server.pid) - cpu_before) * 1000 / args.requests
            measured["share"] = measured["feed_rps"] / measured["bare_rps"]
            rounds.append(measured)
    finally:
        server.terminate()
        server.wait()
    print(
        json.dumps(
            {
                "requests": args.requests,
                "clients": args.clients,
                "page_size": args.limit,
                "ranking": "each shopper's first reused" if args.without_ranking else "every request",
                "candidates_scored_per_request_min": min(scored),
                "candidates_scored_per_request_median": sorted(scored)[len(scored) // 2],
                "feed_ms_p50": round(percentile(feed_ms, 50), 1),
                "feed_ms_p99": round(percentile(feed_ms, 99), 1),
                "bare_json_ms_p50": round(percentile(bare_ms, 50), 1),
                "bare_json_ms_p99": round(percentile(bare_ms, 99), 1),
                "rounds": args.rounds,
                "feed_requests_per_second": round(_median(rounds, "feed_rps")),
                "bare_json_requests_per_second": round(_median(rounds, "bare_rps")),
                "feed_share_of_bare_throughput": round(_median(rounds, "share"), 3),
                "feed_share_of_bare_throughput_per_round": [round(r["share"], 3) for r in rounds],
                "web_process_cpu_ms_per_feed_request": round(_median(rounds, "feed_cpu_ms"), 2),
                "web_process_cpu_ms_per_bare_request": round(_median(rounds, "bare_cpu_ms"), 2),
            },
            indent=2,
        )
    )


def _median(rounds: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rounds)


if __name__ == "__main__":
    main()
