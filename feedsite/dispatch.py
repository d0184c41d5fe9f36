"""Sending signals: after the transaction commits, or as a question whose receivers answer."""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction
from django.dispatch import Signal


def send_on_commit(signal: Signal, sender: Any, **named: Any) -> None:
    """Send ``signal`` once the current transaction commits (at once outside one); nothing when it
    rolls back. Each receiver's error is logged and the others still run (``send_robust``)."""
    transaction.on_commit(functools.partial(signal.send_robust, sender, **named))


def answers(signal: Signal, sender: Any, **named: Any) -> list[Any]:
    """What each receiver of ``signal`` returned, in connection order; a receiver's error propagates."""
    return [answer for _, answer in signal.send(sender, **named)]
