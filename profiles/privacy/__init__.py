"""Privacy and retention: a shopper's data exported (``export.shopper_export``) and erased
everywhere (``erasure.shopper_erase``), and the archive of past events (``archive``). The apps
above bring what they keep about a shopper into both through ``signals``."""
