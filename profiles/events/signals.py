"""Signals of the event pipeline, sent explicitly by the consumer (never model signals).

``batch_processed(sender=EventConsumer, items)``: sent after a batch is stored, folded into the
real-time state and acknowledged; ``items`` maps each item id the batch touched to the event types
it had, e.g. ``{12: frozenset({"view", "like"})}``. Receivers run in the consumer process (on its
hook thread with ``background_hooks``), in connection order; one that raises is logged and skipped
(``send_robust``), never retried: the batch is done, and what a receiver publishes is best effort.
"""

from django.dispatch import Signal

batch_processed = Signal()
