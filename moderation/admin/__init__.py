"""Moderation's admin, one module per concern (importing each registers its model admins).

- ``standing``: creators' standing (reputation, blocks) and the decisions about creators.
"""

from moderation.admin import standing  # noqa: F401
