"""Helpers shared by the benchmarks: Django setup, the ranker and shoppers to rank for, a server, percentiles."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feedsite.settings")
    import django
    from django.conf import settings

    django.setup()
    # The benchmarks' test data has users; hashing their passwords properly takes minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def require_services() -> None:
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        sys.exit("Benchmarks measure the real stack: set DATABASE_URL (PostgreSQL) and REDIS_URL.")


def trained_ranker() -> Any:
    """The active ranker (``ranking.registry.Ranker``); exits when none has been trained."""
    from ranking.registry import active_ranker

    ranker = active_ranker()
    if ranker is None:
        sys.exit("No trained ranker in this database: run import_dataset and train_ranker first.")
    return ranker


def heaviest_shoppers(n: int) -> list[Any]:
    """The ``n`` shoppers with the most interactions (at least 5): the ranking path's worst case."""
    from django.db.models import Count

    from profiles.models import Shopper

    return list(Shopper.objects.annotate(n=Count("interactions")).filter(n__gte=5).order_by("-n")[:n])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Every client of a benchmark is one address and few shoppers: the limits are counted (their cost is
# part of what is measured) but set so high that none refuses.
BENCH_RATE_LIMITS = {
    f"RATE_LIMIT_{scope}": "100000000/minute" for scope in ("CATALOG", "CATALOG_ADDRESS", "EVENTS", "EVENTS_ADDRESS")
}


def start_server(port: int, *, workers: int = 1, app: str = "feedsite.asgi:application") -> subprocess.Popen[bytes]:
    """uvicorn serving ``app`` (the project, or a benchmark's variant of it: ``bench.<module>:application``)
    on 127.0.0.1:port; waits until it answers."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-key"),
            **BENCH_RATE_LIMITS,
        },
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100.0 * len(ordered)))]
