"""Run the event consumer: ``manage.py consume_events [--name N] [--drain]``."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from profiles.events.consumer import BATCH_SIZE, EventConsumer


class Command(BaseCommand):
    help = "Consume the event stream into interactions and real-time state (a long-lived worker)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", help="consumer name in the group (default: host-pid)")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--drain", action="store_true", help="process what is there, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        consumer = EventConsumer(
            name=options["name"], batch_size=options["batch_size"], background_hooks=not options["drain"]
        )
        if options["drain"]:
            handled = consumer.drain()
            self.stdout.write(f"processed {handled} events")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"consumer {consumer.name} running; Ctrl-C to stop")
        consumer.run(stop=stop)
