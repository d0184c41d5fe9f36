"""``GET /api/v1/creators/<handle>``: the creator page as JSON (profile, follow state, a page of posts)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.selectors import media_thumbnail
from feedsite.errors import NotFound
from profiles.apis import STATE_AUTHENTICATION
from profiles.creators.selectors import creator_page
from profiles.creators.views import CREATOR_PAGE_POSTS
from profiles.services import shopper_for_request


class CreatorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="creator.pk")
    handle = serializers.CharField(source="creator.handle")
    display_name = serializers.CharField(source="creator.display_name")
    bio = serializers.CharField(source="creator.bio")
    verified = serializers.BooleanField(source="creator.verified")
    avatar = serializers.SerializerMethodField()
    followers = serializers.IntegerField()
    following = serializers.BooleanField()

    def get_avatar(self, page: object) -> str | None:
        avatar = page.creator.avatar  # type: ignore[attr-defined]
        return avatar.url if avatar else None


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    caption = serializers.CharField()
    published_at = serializers.DateTimeField()
    thumbnail = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_thumbnail(self, item: object) -> str:
        return media_thumbnail(item)  # type: ignore[arg-type]

    def get_url(self, item: object) -> str:
        return f"/c/{item.pk}"  # type: ignore[attr-defined]


class CreatorPageSerializer(serializers.Serializer):
    creator = CreatorSerializer(source="*")
    posts = PostSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class CreatorApi(APIView):
    """``GET /api/v1/creators/<handle>?cursor=C``: ``{"creator", "posts", "next_cursor"}``; the posts
    newest first, 12 a page, the next page with ``cursor`` (400 ``invalid_cursor`` for a cursor
    not made here); 404 for a creator whose page is not shown."""

    authentication_classes = STATE_AUTHENTICATION

    @extend_schema(parameters=[OpenApiParameter("cursor", str, required=False)], responses={200: CreatorPageSerializer})
    def get(self, request: Request, handle: str) -> Response:
        found = creator_page(
            handle=handle,
            shopper=shopper_for_request(request, create=False),
            cursor=request.query_params.get("cursor") or None,
            limit=CREATOR_PAGE_POSTS,
        )
        if found is None:
            raise NotFound("No creator has this handle.")
        return Response(CreatorPageSerializer(found).data)
