"""Signals of the shoppers' room, sent explicitly by its services (never model signals).

``shopper_merged(sender=Shopper, source, target)``: sent inside the sign-in transaction when a
visitor's history moves to an account; receivers move what their room holds of ``source``.
"""

from django.dispatch import Signal

shopper_merged = Signal()
