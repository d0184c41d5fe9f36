"""Celery tasks of the moderation app: each named explicitly, safe to run twice.

Importing this module registers every task of the app (``ModerationConfig.ready``).
"""

from __future__ import annotations

from moderation.reputation import tasks as reputation_tasks

__all__ = ["reputation_tasks"]
