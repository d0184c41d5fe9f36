"""``POST /api/v1/events``: a batch of the tracker's events."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from feedsite.errors import ApplicationError
from feedsite.limits import batch_cost
from profiles.authentication import (
    BeaconSessionAuthentication,
    ShopperTokenAuthentication,
)
from profiles.events.ingest import MAX_BATCH_EVENTS, events_ingest
from profiles.events.schema import DEVICE_CLASSES, EVENT_ID_RE, MAX_DWELL_MS, MAX_POSITION, TOKEN_RE
from profiles.events.types import CLIENT_TYPES
from profiles.services import shopper_for_request

# 500 events × ~400 bytes, with room for long contexts (refused above by feedsite.bodies, unread).
MAX_BODY_BYTES = 256 * 1024


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "format": "date-time"}, {"type": "number"}],
        "description": "ISO-8601 with an offset, or Unix seconds; at most 5 minutes ahead, 3 days old",
    }
)
class TimestampField(serializers.Field):
    """``ts``: documentation of the schema only (``profiles.events.schema`` validates)."""


class EventSerializer(serializers.Serializer):
    """A valid event, as ``profiles.events.schema.parse_event`` accepts it: documentation of the schema
    only. An event that is not valid is rejected on its own (``rejected``), the rest of the batch kept."""

    class Context(serializers.Serializer):
        device = serializers.ChoiceField(choices=sorted(DEVICE_CLASSES), required=False)
        viewport = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=20_000), min_length=2, max_length=2, required=False
        )
        progress = serializers.ChoiceField(choices=[25, 50, 75, 100], required=False)
        surface = serializers.RegexField(TOKEN_RE.pattern, required=False)

    event_id = serializers.RegexField(EVENT_ID_RE.pattern, help_text="client-made, the idempotency key")
    type = serializers.ChoiceField(choices=sorted(CLIENT_TYPES | {"search"}))
    item = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="required, except on a `search` event"
    )
    query = serializers.CharField(
        max_length=100, required=False, help_text="only on a `search` event, and required there: what was searched"
    )
    ts = TimestampField()
    session_id = serializers.RegexField(TOKEN_RE.pattern, required=False)
    request_id = serializers.RegexField(TOKEN_RE.pattern, required=False)
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)
    dwell_ms = serializers.IntegerField(min_value=0, max_value=MAX_DWELL_MS, required=False)
    value = serializers.FloatField(min_value=-1e6, max_value=1e6, required=False)
    product = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    # Declared fields leave the class (DRF's metaclass), so this does not hide Serializer.context.
    context = Context(required=False)  # type: ignore[assignment]


class EventBatchSerializer(serializers.Serializer):
    events = serializers.ListField(child=EventSerializer(), max_length=MAX_BATCH_EVENTS)


class IngestResultSerializer(serializers.Serializer):
    class Rejection(serializers.Serializer):
        index = serializers.IntegerField(help_text="the event's index in the batch")
        reason = serializers.CharField(help_text="machine-readable, such as `invalid_type`")
        detail = serializers.CharField()

    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    bots = serializers.IntegerField()
    not_recorded = serializers.IntegerField(help_text="valid, but the shopper refused personalization")
    rejected = Rejection(many=True)


class EventsApi(APIView):
    """``POST /api/v1/events`` with ``{"events": [...]}``.

    Answers ``{"accepted", "duplicates", "bots", "not_recorded", "rejected": [{"index", "reason", "detail"}]}``.
    The valid events of a batch are kept even when others in it are rejected. Past the ``events``
    rate (events, not batches, per shopper and per address) the whole batch is refused, 429.
    """

    authentication_classes = [ShopperTokenAuthentication, BeaconSessionAuthentication]
    max_body_bytes = MAX_BODY_BYTES
    throttle_scope = "events"

    @staticmethod
    def throttle_cost(request: Request) -> int:
        """The number of events sent."""
        return batch_cost(request, key="events", max_body_bytes=MAX_BODY_BYTES)

    @extend_schema(request=EventBatchSerializer, responses={200: IngestResultSerializer})
    def post(self, request: Request) -> Response:
        body = request.data
        if not isinstance(body, dict) or "events" not in body:
            raise ApplicationError('The body must be a JSON object {"events": [...]}.', code="invalid_batch")
        result = events_ingest(
            shopper=shopper_for_request(request),
            raw_events=body["events"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(result.as_dict(), status=status.HTTP_200_OK)
