"""``GET /api/v1/studio/stats?days=N``: the signed-in approved creator's figures as JSON."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.dashboard.access import DEFAULT_DAYS, dashboard_creator, period_days
from profiles.dashboard.payload import stats_payload
from profiles.events.creator_stats import MAX_DAYS, creator_stats


class FiguresSerializer(serializers.Serializer):
    """``payload.figures_payload``: documentation of the schema only."""

    impressions = serializers.IntegerField()
    views = serializers.IntegerField()
    timed_views = serializers.IntegerField(help_text="video views with a time (watch-through's denominator)")
    watched_through = serializers.IntegerField(help_text="of those, the views of at least 90 % of the video")
    watch_through = serializers.FloatField(allow_null=True, help_text="watched_through / timed_views, 0–1")
    likes = serializers.IntegerField()
    shares = serializers.IntegerField()
    product_clicks = serializers.IntegerField()
    carts = serializers.IntegerField()
    purchases = serializers.IntegerField()


class StatsItemSerializer(FiguresSerializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    caption = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField(help_text="what moderation or the media pipeline told the creator")
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)


class SeriesSerializer(serializers.Serializer):
    dates = serializers.ListField(child=serializers.DateField())
    impressions = serializers.ListField(child=serializers.IntegerField())
    views = serializers.ListField(child=serializers.IntegerField())
    carts = serializers.ListField(child=serializers.IntegerField())
    purchases = serializers.ListField(child=serializers.IntegerField())
    followers_gained = serializers.ListField(child=serializers.IntegerField())
    followers_lost = serializers.ListField(child=serializers.IntegerField())
    followers = serializers.ListField(child=serializers.IntegerField(), help_text="followers at each day's end")


class StatsSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    since = serializers.DateField()
    until = serializers.DateField()
    followers = serializers.IntegerField()
    totals = FiguresSerializer()
    items = StatsItemSerializer(many=True)
    series = SeriesSerializer()


class StudioStatsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "days",
                OpenApiTypes.INT,
                description=f"UTC days up to today, 1 to {MAX_DAYS} (default {DEFAULT_DAYS})",
            )
        ],
        responses={200: StatsSerializer},
    )
    def get(self, request: Request) -> Response:
        """The figures of the creator's items, in total and per day, and follower growth; 403 for
        anyone but an approved creator, 400 (``invalid_days``) for a period outside 1–365 days."""
        creator = dashboard_creator(request.user)
        days = period_days(request.query_params.get("days"))
        return Response(stats_payload(creator_stats(creator=creator, days=days)))
