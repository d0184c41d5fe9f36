"""Celery tasks of reputation and trust: each named explicitly, safe to run twice or at once (the
cursors' row locks serialize them)."""

from __future__ import annotations

from celery import shared_task

from moderation.reputation import services


@shared_task(name="moderation.recompute_reputations")
def recompute_reputations() -> int:
    """Every few minutes (beat): creators named by interactions since the cursor, or touched;
    returns how many standings were rewritten."""
    return services.creator_reputations_advance()


@shared_task(name="moderation.recompute_trust")
def recompute_trust() -> int:
    """Every few minutes (beat): the trust of shoppers with events since the cursor; returns how many."""
    return services.shopper_trust_advance()


@shared_task(name="moderation.reconcile_reputations")
def reconcile_reputations() -> int:
    """Daily (beat): every creator's totals recounted and every stored trust recomputed (retention
    deletes, account age, the trust window sliding); returns how many rows were written."""
    return services.creator_reputations_reconcile() + services.shopper_trust_reconcile()
