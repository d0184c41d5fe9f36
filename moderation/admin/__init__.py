"""Moderation's admin, one module per concern (importing each registers its model admins).

- ``checks``: the automatic checks' rules, classifier versions and screenings.
- ``standing``: creators' standing (reputation, blocks) and the decisions about creators.
"""

from moderation.admin import checks, standing  # noqa: F401
