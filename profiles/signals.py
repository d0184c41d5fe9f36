"""Signals of the shoppers' room, sent explicitly by its services (never model signals).

``shopper_merged(sender=Shopper, source, target)``: sent inside the sign-in transaction when a
visitor's history moves to an account; receivers move what their room holds of ``source``.

``demo_seeded(sender=None, seed, scale, now)``: sent by ``manage.py seed_demo`` once the demo shop
is written (``now`` the moment its times are relative to); the rooms above add their own demo rows
(this room may not import them) and each returns a line saying what it made, which the command
prints.
"""

from django.dispatch import Signal

shopper_merged = Signal()
demo_seeded = Signal()
