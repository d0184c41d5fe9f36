"""The feed cursor: an opaque signed token naming the feed session and the next page.

The cursor does not carry an offset. The cards a feed session has served are remembered
(``ranking.served``) and the next page is the best of what has not been served: a card can never
repeat, and none is skipped even when the ranking moves between pages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core import signing

from feedsite.errors import ApplicationError

_SALT = "feedsite.feed.cursor"


@dataclass(frozen=True)
class Cursor:
    feed_session: uuid.UUID
    page: int

    @classmethod
    def start(cls) -> Cursor:
        return cls(feed_session=uuid.uuid4(), page=0)

    def next(self) -> Cursor:
        return Cursor(feed_session=self.feed_session, page=self.page + 1)

    def encode(self) -> str:
        return signing.dumps([self.feed_session.hex, self.page], salt=_SALT)

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            session_hex, page = signing.loads(token, salt=_SALT)
            return cls(feed_session=uuid.UUID(hex=session_hex), page=int(page))
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise ApplicationError("The cursor is not valid; start again without one.", code="invalid_cursor") from exc
