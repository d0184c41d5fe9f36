"""The API's JSON parser: DRF's, with a body nested too deeply refused as a parse error (400).

Python's JSON decoder recurses once per level of nesting and raises ``RecursionError``, which
DRF's parser does not catch: a small body of ``[[[[…`` was a server error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
