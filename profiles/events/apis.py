"""``POST /api/v1/events``: a batch of the tracker's events."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from feedsite.errors import ApplicationError
from profiles.authentication import (
    BeaconSessionAuthentication,
    ShopperTokenAuthentication,
)
from profiles.events.ingest import events_ingest
from profiles.services import shopper_for_request

# 500 events × ~400 bytes, with room for long contexts.
MAX_BODY_BYTES = 256 * 1024


class PayloadTooLarge(ApplicationError):
    http_status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class EventsApi(APIView):
    """``POST /api/v1/events`` with ``{"events": [...]}``.

    Answers ``{"accepted", "duplicates", "bots", "not_recorded", "rejected": [{"index", "reason", "detail"}]}``.
    The valid events of a batch are kept even when others in it are rejected. Past the ``events``
    rate (events, not batches, per shopper and per address) the whole batch is refused, 429.
    """

    authentication_classes = [BeaconSessionAuthentication, ShopperTokenAuthentication]
    throttle_scope = "events"

    @staticmethod
    def throttle_cost(request: Request) -> int:
        """The number of events sent (a body too large to read counts one: it is refused, 413)."""
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            return 1
        body = request.data
        events = body.get("events") if isinstance(body, dict) else None
        return max(1, len(events)) if isinstance(events, list) else 1

    def post(self, request: Request) -> Response:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY_BYTES:
            raise PayloadTooLarge(
                f"The body is {length} bytes; at most {MAX_BODY_BYTES} are accepted.",
                code="body_too_large",
                extra={"max_bytes": MAX_BODY_BYTES},
            )
        body = request.data
        if not isinstance(body, dict) or "events" not in body:
            raise ApplicationError('The body must be a JSON object {"events": [...]}.', code="invalid_batch")
        result = events_ingest(
            shopper=shopper_for_request(request),
            raw_events=body["events"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(result.as_dict(), status=status.HTTP_200_OK)
