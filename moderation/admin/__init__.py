"""Moderation's admin, one module per concern (importing each registers its model admins).

- ``standing``: creators' standing (reputation, blocks, overrides) and the decisions about creators.
- ``checks``: the automatic checks' rules, classifier versions and screenings.
- ``trust``: shoppers' trust and its overrides (``overrides``: the override actions both share).
- ``queue``: the review queue (``Case``): the list, the case page, claiming and decisions.
- ``audit``: the audit log, read-only.
- ``content``: content's item and comment admins, re-registered so that their review steps are
  audited decisions with a reason code and a note (``decide`` holds what these share).
"""

from moderation.admin import (  # noqa: F401
    audit,
    checks,
    content,
    queue,
    standing,
    trust,
)
