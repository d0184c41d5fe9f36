"""Moderation's admin, one module per concern (importing each registers its model admins).

- ``standing``: creators' standing (reputation, blocks, overrides) and the decisions about creators.
- ``trust``: shoppers' trust and its overrides (``overrides``: the override actions both share).
"""

from moderation.admin import standing, trust  # noqa: F401
