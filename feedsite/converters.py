"""URL converters shared by the apps' URLs (registered in ``feedsite.urls``)."""

from __future__ import annotations


class IdConverter:
    """``<id:name>``: a row id, at most 18 digits, so always inside the database's 64-bit integers.

    Django's ``int`` takes any number of digits, and a longer one fails in the database (SQLite
    raises on an ``IN`` with it): a server error where the answer is "no such id", a 404.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
