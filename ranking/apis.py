"""The feed API."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.events.schema import DEVICE_CLASSES
from profiles.services import shopper_for_request
from ranking.cursor import Cursor
from ranking.feed import feed_page


class FeedApi(APIView):
    """``GET /api/v1/feed?limit=N&cursor=C&device=D``: a page of cards, a ``request_id`` and a ``next_cursor``.

    ``device`` is the device class the web feed's tracker also reports (a ranking feature).
    """

    throttle_scope = "catalog"

    class QuerySerializer(serializers.Serializer):
        limit = serializers.IntegerField(
            min_value=1, max_value=settings.FEED_PAGE_MAX, default=settings.FEED_PAGE_DEFAULT
        )
        cursor = serializers.CharField(required=False, allow_blank=True, max_length=512)
        device = serializers.ChoiceField(choices=sorted(DEVICE_CLASSES), default="unknown")

    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        token = query.validated_data.get("cursor")
        page = feed_page(
            shopper=shopper_for_request(request, create=False),
            limit=query.validated_data["limit"],
            cursor=Cursor.decode(token) if token else None,
            device=query.validated_data["device"],
        )
        return Response(page.as_dict())
