"""Event ingestion benchmark: the HTTP API, a consumer process, real PostgreSQL and Redis.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/events.py [--events 100000] [--batch 100]

Prints events/s accepted by the API, end-to-end lag from the client's send time to the row in
PostgreSQL (p50/p99), and a loss check (accepted = stored). Run it against a scratch database:
it adds items, visitors and interactions.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from _common import ROOT, django_setup, free_port, percentile, require_services, start_server

UA = "Mozilla/5.0 (bench) Chrome/156.0"


def visitor_cookie(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/api/v1/feed?limit=1", headers={"User-Agent": UA})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    return cookie.split(";", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--senders", type=int, default=8, help="concurrent HTTP connections")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--consumers", type=int, default=1, help="consumer processes (one group)")
    parser.add_argument("--rate", type=float, default=0, help="events/s to offer (0: as fast as accepted)")
    args = parser.parse_args()
    require_services()
    django_setup()
    from tests.factories import ContentItemFactory

    run = uuid.uuid4().hex[:8]
    items = [
        ContentItemFactory.create(creator__handle=f"b{run}{n}", creator__user__username=f"bench-{run}-{n}").pk
        for n in range(200)
    ]
    port = free_port()
    server = start_server(port, workers=args.workers)
    consumers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "consume_events", "--name", f"bench-{run}-{n}"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
        )
        for n in range(args.consumers)
    ]
    try:
        report = measure(args, run, items, port)
    finally:  # never leave a server or consumer behind (they would hold the caller's pipes open)
        for process in [server, *consumers]:
            process.terminate()
        for process in [server, *consumers]:
            process.wait()
    print(json.dumps(report, indent=2))
    if report["lost"] or report["accepted"] != report["events_sent"]:
        sys.exit("LOSS CHECK FAILED: accepted != stored or some events were refused")


def lag_by_window(rows: list[tuple[float, float]], *, seconds: float) -> list[float]:
    """p99 lag of the events sent in each ``seconds`` of the run, in order (rows: (sent at, lag ms))."""
    if not rows:
        return []
    start = min(at for at, _ in rows)
    windows: dict[int, list[float]] = {}
    for at, lag in rows:
        windows.setdefault(int((at - start) // seconds), []).append(lag)
    return [round(percentile(windows[w], 99), 1) for w in sorted(windows)]


def measure(args: argparse.Namespace, run: str, items: list[int], port: int) -> dict[str, object]:
    from django.db import connection

    # Many shoppers, each a few events per batch: per-shopper rate limits stay realistic.
    cookies = [visitor_cookie(port) for _ in range(200)]
    batches = args.events // args.batch
    accepted = duplicates = rejected = 0
    lock = threading.Lock()
    latencies: list[float] = []

    # With --rate, batch b is due at b / (rate / batch) seconds after the start.
    interval = args.batch / args.rate if args.rate else 0.0

    def send(n: int) -> None:
        nonlocal accepted, duplicates, rejected
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for b in range(n, batches, args.senders):
            if interval and (wait := started + b * interval - time.perf_counter()) > 0:
                time.sleep(wait)
            events = [
                {
                    "event_id": f"b{run}-{b}-{i}",
                    "type": "view" if i % 5 else "like",
                    "item": items[(b * 7 + i) % len(items)],
                    "ts": time.time(),
                }
                for i in range(args.batch)
            ]
            body = json.dumps({"events": events})
            sent_at = time.perf_counter()
            conn.request(
                "POST",
                "/api/v1/events",
                body,
                {"Content-Type": "application/json", "User-Agent": UA, "Cookie": cookies[b % len(cookies)]},
            )
            response = conn.getresponse()
            raw = response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status} from /api/v1/events: {raw[:300]!r}")
            answer = json.loads(raw)
            elapsed = time.perf_counter() - sent_at
            with lock:
                latencies.append(elapsed * 1000)
                accepted += answer["accepted"]
                duplicates += answer["duplicates"]
                rejected += len(answer["rejected"]) + answer["bots"]

    started = time.perf_counter()
    with ThreadPoolExecutor(args.senders) as pool:
        list(pool.map(send, range(args.senders)))
    send_seconds = time.perf_counter() - started

    deadline = time.monotonic() + 120
    stored = 0
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM events_interaction WHERE event_id LIKE %s", [f"b{run}-%"])
            stored = cursor.fetchone()[0]
            if stored >= accepted:
                break
            time.sleep(0.2)
        cursor.execute(
            "SELECT extract(epoch FROM occurred_at), extract(epoch FROM received_at - occurred_at) * 1000 "
            "FROM events_interaction WHERE event_id LIKE %s",
            [f"b{run}-%"],
        )
        rows = [(float(at), float(lag)) for at, lag in cursor.fetchall()]
    lags = [lag for _, lag in rows]
    drain_seconds = time.perf_counter() - started
    return {
        "events_sent": batches * args.batch,
        "batch_size": args.batch,
        "offered_events_per_second": args.rate or "unlimited",
        "consumers": args.consumers,
        "api_events_per_second": round(accepted / send_seconds),
        "all_stored_events_per_second": round(stored / drain_seconds),
        "request_ms_p50": round(percentile(latencies, 50), 1),
        "request_ms_p99": round(percentile(latencies, 99), 1),
        "lag_to_postgres_ms_p50": round(percentile(lags, 50), 1),
        "lag_to_postgres_ms_p99": round(percentile(lags, 99), 1),
        # Sustained means the lag does not grow: its p99 per 10 s of sending, first to last.
        "lag_to_postgres_ms_p99_per_10s": lag_by_window(rows, seconds=10),
        "accepted": accepted,
        "duplicates": duplicates,
        "rejected_or_bots": rejected,
        "stored": stored,
        "lost": accepted - stored,
    }


if __name__ == "__main__":
    main()
