"""A believable demo shop, generated locally: ``python manage.py seed_demo``.

Public, in ``seed``: ``seed_demo`` (the whole seed, behind ``manage.py seed_demo``), ``DemoSummary``
(what it made), ``demo_present``, and the demo credentials ``DEMO_PASSWORD`` (every ``shopperN`` and
shopper-creator account), ``ADMIN_USERNAME`` / ``ADMIN_PASSWORD`` (the staff superuser).

Inside: data only in ``catalog`` (categories and products), ``accounts`` (brands, editorial desks,
creator names) and ``captions`` (what posts say); pure planning in ``plan`` (products, creators,
media specs), ``items`` (content items) and ``histories`` (shoppers and their interactions);
``render`` draws images and videos, ``pool`` renders and stores the shared media files; ``seed``
orchestrates and writes every row in one transaction.
"""
