"""A believable demo shop, generated locally: ``python manage.py seed_demo``.

Public: ``seed_demo`` (the whole seed), ``DemoSummary`` (what it made), ``demo_present``, and the
demo credentials ``DEMO_PASSWORD`` (every ``shopperN`` and shopper-creator account),
``ADMIN_USERNAME`` / ``ADMIN_PASSWORD`` (the staff superuser).

Inside: data only in ``catalog`` (categories and products), ``accounts`` (brands, editorial desks,
creator names) and ``captions`` (what posts say); pure planning in ``plan`` (products, creators,
media specs), ``items`` (content items) and ``histories`` (shoppers and their interactions);
``pool`` renders and stores the shared media files; ``seed`` orchestrates and writes every row
in one transaction.
"""

from profiles.demo.seed import ADMIN_PASSWORD, ADMIN_USERNAME, DEMO_PASSWORD, DemoSummary, demo_present, seed_demo

__all__ = ["ADMIN_PASSWORD", "ADMIN_USERNAME", "DEMO_PASSWORD", "DemoSummary", "demo_present", "seed_demo"]
