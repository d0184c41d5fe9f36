"""The feed API."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.models import ContentItem, Creator, Tag
from profiles.events.schema import DEVICE_CLASSES
from profiles.services import shopper_for_request
from ranking.cursor import Cursor
from ranking.feed import feed_page
from ranking.search import search_page


class MediaVariantSerializer(serializers.Serializer):
    """A resized copy of an image (an ``srcset`` candidate)."""

    width = serializers.IntegerField()
    url = serializers.CharField()


class CardSerializer(serializers.Serializer):
    """A feed card as ``ranking.cards.card`` builds it: documentation of the schema only."""

    class Media(serializers.Serializer):
        url = serializers.CharField(allow_null=True)
        poster = serializers.CharField(allow_null=True)
        type = serializers.CharField(allow_null=True)
        width = serializers.IntegerField(allow_null=True)
        height = serializers.IntegerField(allow_null=True)
        duration_ms = serializers.IntegerField(allow_null=True)
        srcset = MediaVariantSerializer(many=True)

    class GalleryImage(serializers.Serializer):
        url = serializers.CharField()
        type = serializers.CharField(allow_null=True)
        width = serializers.IntegerField(allow_null=True)
        height = serializers.IntegerField(allow_null=True)
        srcset = MediaVariantSerializer(many=True)

    class CardCreator(serializers.Serializer):
        id = serializers.IntegerField()
        handle = serializers.CharField()
        display_name = serializers.CharField()
        kind = serializers.ChoiceField(choices=Creator.Kind.choices)
        verified = serializers.BooleanField()

    class Brand(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()

    class CardTag(serializers.Serializer):
        slug = serializers.CharField()
        name = serializers.CharField()
        kind = serializers.ChoiceField(choices=Tag.Kind.choices)

    class CardProduct(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField()
        price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=True)
        currency = serializers.CharField()
        in_stock = serializers.BooleanField()

    class Reason(serializers.Serializer):
        code = serializers.CharField(help_text="the source that proposed the card")
        text = serializers.CharField()
        rule = serializers.CharField(required=False, help_text="the mix policy rule that placed it")

    class Counts(serializers.Serializer):
        likes = serializers.IntegerField()
        comments = serializers.IntegerField()
        shares = serializers.IntegerField()

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ContentItem.Kind.choices)
    # Declared fields leave the class (DRF's metaclass), so this does not hide Field.source.
    source = serializers.ChoiceField(choices=ContentItem.Source.choices)  # type: ignore[assignment]
    position = serializers.IntegerField()
    media = Media()
    gallery = GalleryImage(many=True, help_text="a carousel's images in order; empty for one file")
    caption = serializers.CharField(allow_blank=True)
    creator = CardCreator(allow_null=True)
    brand = Brand(allow_null=True)
    tags = CardTag(many=True)
    products = CardProduct(many=True)
    reason = Reason()
    counts = Counts()
    liked = serializers.BooleanField()
    following = serializers.BooleanField()


class FeedPageSerializer(serializers.Serializer):
    request_id = serializers.UUIDField()
    next_cursor = serializers.CharField(allow_null=True, help_text="pass it as `cursor` for the next page")
    cards = CardSerializer(many=True)


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

    @extend_schema(parameters=[QuerySerializer], responses={200: FeedPageSerializer})
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


class SearchPageSerializer(serializers.Serializer):
    class Result(serializers.Serializer):
        type = serializers.ChoiceField(choices=["product", "post", "creator", "tag"])
        id = serializers.IntegerField()
        url = serializers.CharField(help_text="the product, post, creator or tag page")

    query = serializers.CharField(help_text="the query as searched (control characters dropped)")
    results = Result(many=True, help_text="each with its type's card fields (docs/search.md)")
    next_cursor = serializers.CharField(allow_null=True)


class SearchApi(APIView):
    """``GET /api/v1/search?q=&cursor=``: products, posts, creators and tags matching ``q``, personalized.

    Answers ``{"query", "results": [{"type": "product"|"post"|"creator"|"tag", "id", "url", …}],
    "next_cursor"}``. An empty ``q`` or one over 100 characters: 400 (``empty_query``,
    ``query_too_long``); a query of only punctuation finds nothing (``ranking.search``).
    """

    throttle_scope = "search"

    class QuerySerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=1000)
        cursor = serializers.CharField(required=False, allow_blank=True, max_length=512)

    @extend_schema(parameters=[QuerySerializer], responses={200: SearchPageSerializer})
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = search_page(
            raw_query=query.validated_data.get("q"),
            shopper=shopper_for_request(request, create=False),
            cursor=query.validated_data.get("cursor") or None,
        )
        return Response(page.as_dict())
