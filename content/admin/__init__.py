"""Admin for moderators and marketers: brands, creators, tags, products, the review of content items, comments.

Importing this package registers every model admin of content (Django's admin autodiscovery
imports it): ``catalog`` (brands, creators, products), ``tags`` (the vocabulary), ``items`` (content items and their
review steps), ``comments``. For the admins of the apps above, ``shared`` offers, re-exported here:
``adopt`` (take on the row a service created), ``store_upload`` and ``count_of`` (a per-row count
annotation).
"""

from content.admin import catalog, comments, items, tags
from content.admin.shared import adopt, count_of, store_upload

__all__ = ["adopt", "catalog", "comments", "count_of", "items", "store_upload", "tags"]
