"""Signals of privacy, sent explicitly by its services (never model signals): how the apps above
(ranking's served-list log, …) bring what they keep about a shopper into export and erasure.

Both pass ``shopper_ids``, the shopper's id first, then the ids of the visitors merged into them:
ids rather than a ``Shopper``, because an erasure may run again after the rows are gone.
Receivers' errors propagate: an export is complete or not given, and an erasure that fails part
way stays incomplete until it is run again.

``shopper_exported(sender=Shopper, shopper_ids)``: sent by ``export.shopper_export``; each receiver
returns ``{section: JSON-ready data}``, added to the export document under those names (which
must not be privacy's own).

``shopper_erased(sender=Shopper, shopper_ids)``: sent by ``erasure.shopper_erase`` inside the
transaction that deletes the shopper's rows; each receiver deletes what it holds about them and
returns ``{store: how many things it deleted}``. Idempotent: erasing again deletes nothing and
returns 0s.
"""

from django.dispatch import Signal

shopper_exported = Signal()
shopper_erased = Signal()
