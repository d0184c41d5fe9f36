"""Websocket benchmark: N live feed sockets on one uvicorn process, one fresh item, time until all have it.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/websockets.py [--connections 10000]
        [--wave 500] [--mode fanout|personal] [--compression deflate|none]

Creates N visitor shoppers following one creator (bulk, before the server starts: the socket never
writes), opens N sockets from this process with signed visitor cookies, in waves, to one uvicorn
worker, then announces one published item by that creator through ``ranking.push.fresh_item_announce``
(what the ``ranking.push.announce_item`` task runs) and waits until every socket has its
``feed.fresh``. Latency is from the start of the announce (audience query, cards, channel layer,
server, socket) to the frame read here. ``--mode personal`` forces one message per shopper group
instead of the one fan-out message on ``feed.all``. Prints JSON; run it against a scratch database.

The server runs as ``make run`` does; uvicorn reads its options from ``UVICORN_*`` variables, so
``UVICORN_WS_PER_MESSAGE_DEFLATE=false`` (no per-socket compression of every push, which browsers
negotiate by default) or ``UVICORN_WS=websockets-sansio`` measure those settings.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path

from _common import django_setup, free_port, percentile, require_services, start_server

# This file is named like the client library it uses: take the library, not this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.modules.pop("websockets", None)
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

PING_SECONDS = 25.0


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_fd_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        soft = min(hard, needed) if hard != resource.RLIM_INFINITY else needed
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def make_audience(n: int) -> tuple[int, list[str]]:
    """A creator, ``n`` visitor shoppers following it, and one published item; cookies of the shoppers."""
    from django.conf import settings
    from django.utils import timezone

    from content.models import ContentItem, Creator
    from profiles.middleware import visitor_id_sign
    from profiles.models import Follow, Shopper

    run = uuid.uuid4().hex[:8]
    creator = Creator.objects.create(handle=f"bench-{run}", display_name=f"Bench {run}")
    visitors = [uuid.uuid4() for _ in range(n)]
    shoppers = Shopper.objects.bulk_create([Shopper(visitor_id=v) for v in visitors], batch_size=2000)
    Follow.objects.bulk_create([Follow(shopper=s, creator=creator) for s in shoppers], batch_size=2000)
    item = ContentItem.objects.create(
        kind=ContentItem.Kind.IMAGE,
        creator=creator,
        caption="fresh from the bench",
        status=ContentItem.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    cookies = [f"{settings.VISITOR_COOKIE}={visitor_id_sign(v)}" for v in visitors]
    return item.pk, cookies


async def open_all(
    uri: str, origin: str, cookies: list[str], wave: int, compression: str | None, sockets: list[ClientConnection]
) -> int:
    """Open a socket per cookie into ``sockets``, ``wave`` at a time; returns how many failed."""
    failures = 0
    for start in range(0, len(cookies), wave):
        batch = cookies[start : start + wave]
        results = await asyncio.gather(
            *(
                connect(
                    uri,
                    origin=origin,  # type: ignore[arg-type]
                    additional_headers={"Cookie": cookie},
                    compression=compression,
                    ping_interval=None,  # the server pings (uvicorn, every 20 s)
                    open_timeout=120,
                    max_queue=4,
                )
                for cookie in batch
            ),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                failures += 1
            else:
                sockets.append(result)
    return failures


async def ping_forever(sockets: list[ClientConnection]) -> None:
    """What live.js does every 25 s: keeps each shopper in the presence set the announce reads."""
    ping = json.dumps({"type": "ping"})
    while True:
        await asyncio.sleep(PING_SECONDS)
        for ws in list(sockets):
            with contextlib.suppress(Exception):
                await ws.send(ping)


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    from ranking import push

    if args.mode == "personal":
        push.FANOUT_BROADCAST_MIN = 10**9
    item_id, cookies = await asyncio.to_thread(make_audience, args.connections)
    port = free_port()
    server = start_server(port, workers=1)
    try:
        await asyncio.sleep(1.0)
        rss_before = rss_kb(server.pid)
        uri, origin = f"ws://127.0.0.1:{port}/ws/feed/", f"http://127.0.0.1:{port}"
        cpu_start = cpu_seconds(server.pid)
        started = time.perf_counter()
        sockets: list[ClientConnection] = []
        # Pings start with the first socket: opening 10k takes longer than the presence TTL.
        pinger = asyncio.create_task(ping_forever(sockets))
        compression = None if args.compression == "none" else "deflate"
        failures = await open_all(uri, origin, cookies, args.wave, compression, sockets)
        connect_seconds = time.perf_counter() - started
        connect_cpu = cpu_seconds(server.pid) - cpu_start
        print(f"{len(sockets)} sockets open in {connect_seconds:.1f} s; announcing", file=sys.stderr, flush=True)
        await asyncio.sleep(2.0)  # let the server settle (presence writes, GC) before measuring
        rss_after = rss_kb(server.pid)
        held = sum(1 for ws in sockets if ws.state.name == "OPEN")

        arrivals: list[float] = []
        wrong = 0

        async def first_message(ws: ClientConnection) -> None:
            nonlocal wrong
            try:
                raw = await ws.recv()
            except Exception:
                return
            arrivals.append(time.perf_counter())
            message = json.loads(raw)
            if message.get("type") != "feed.fresh" or message["cards"][0]["id"] != item_id:
                wrong += 1

        readers = [asyncio.create_task(first_message(ws)) for ws in sockets]
        await asyncio.sleep(0.5)
        load = os.getloadavg()[0]  # other work on the machine stretches the wall-clock figures
        cpu_before = cpu_seconds(server.pid)
        t0 = time.perf_counter()
        told = await asyncio.to_thread(push.fresh_item_announce, item_id=item_id)
        announce_seconds = time.perf_counter() - t0
        await asyncio.wait(readers, timeout=args.timeout)
        delivery_cpu = cpu_seconds(server.pid) - cpu_before
        latencies = [(t - t0) * 1000 for t in arrivals]
        for reader in readers:
            reader.cancel()
        pinger.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    finally:
        server.terminate()
        server.wait()
    return {
        "connections_requested": args.connections,
        "connections_held": held,
        "connect_failures": failures,
        "connect_seconds": round(connect_seconds, 2),
        "server_cpu_ms_per_connect": round(connect_cpu * 1000 / max(len(sockets), 1), 2),
        "mode": args.mode,
        "compression": args.compression,
        "server_ws": os.environ.get("UVICORN_WS", "auto"),
        "shoppers_told": told,
        "announce_seconds": round(announce_seconds, 3),
        "delivered": len(latencies),
        "wrong_payloads": wrong,
        "latency_ms_p50": round(percentile(latencies, 50), 1),
        "latency_ms_p99": round(percentile(latencies, 99), 1),
        "latency_ms_max": round(max(latencies), 1) if latencies else None,
        "server_cpu_seconds_delivering": round(delivery_cpu, 2),
        "load_average_1m": round(load, 2),
        "all_within_2s": len(latencies) == held and bool(latencies) and max(latencies) <= 2000,
        "server_rss_mb_before": round(rss_before / 1024, 1),
        "server_rss_mb_after": round(rss_after / 1024, 1),
        "server_kb_per_connection": round((rss_after - rss_before) / max(held, 1), 1),
        "client_rss_mb": round(rss_kb(os.getpid()) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--wave", type=int, default=500, help="sockets opened concurrently")
    parser.add_argument("--mode", choices=["fanout", "personal"], default="fanout")
    parser.add_argument("--compression", choices=["deflate", "none"], default="deflate", help="what the client offers")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for every delivery")
    args = parser.parse_args()
    require_services()
    # One socket per connection here, one per connection in the server, a few to spare.
    limit = raise_fd_limit(args.connections + 1024)
    if limit < args.connections + 256:
        sys.exit(f"file descriptor limit {limit} is too low for {args.connections} sockets")
    # Cookies are signed here and checked by the server: one key for both (start_server's default).
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    django_setup()
    import uvloop  # with uvicorn[standard]: the client side costs less CPU, as the server's does

    print(json.dumps(uvloop.run(main_async(args)), indent=2))


if __name__ == "__main__":
    main()
