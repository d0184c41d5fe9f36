"""The studio's JSON API: applying as a creator, a creator's posts, product and tag search.

Browsers use their session (with the CSRF token), other clients a token, as the rest of the API.
Every refusal answers the error shape: 401 anonymous, 403 ``not_a_creator`` /
``creator_not_approved``, 404 for another creator's post, 400 for the services' refusals.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.models import Creator
from content.studio import selectors
from content.studio.serializers import (
    StudioCreatedSerializer,
    StudioCreatorInputSerializer,
    StudioCreatorSerializer,
    StudioItemSerializer,
    StudioItemsPageSerializer,
    StudioPostInputSerializer,
    StudioProductSerializer,
    StudioTagSerializer,
    StudioUploadInputSerializer,
    creator_json,
    item_json,
    product_json,
    tag_json,
)
from content.studio.services import (
    creator_apply,
    creator_for_studio,
    studio_item_create,
    studio_item_delete,
    studio_item_retry,
    studio_item_update,
)
from feedsite.errors import NotFound

ITEMS_PAGE = 20


def _creator(request: Request) -> Creator:
    if not request.user.is_authenticated:
        raise NotAuthenticated("Sign in to use the studio.")
    return creator_for_studio(request.user)


def _item_answer(creator: Creator, item_id: int) -> dict[str, Any]:
    item = selectors.studio_item(creator=creator, item_id=item_id)
    if item is None:
        raise NotFound("You have no post with this id.")
    return item_json(item, selectors.studio_states([item])[item.pk])


class CreatorApi(APIView):
    """``GET /api/v1/studio/creator``: the signed-in user's creator profile and application status.
    ``POST`` (multipart with an ``avatar``, or JSON without): apply as a creator (201)."""

    throttle_scope = {"POST": "uploads"}
    max_body_bytes = settings.MEDIA_LIMITS["avatar_max_bytes"] + 64 * 1024

    @extend_schema(responses={200: StudioCreatorSerializer})
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to use the studio.")
        creator = selectors.creator_of(request.user)
        if creator is None:
            raise NotFound("You have not applied as a creator.")
        return Response(creator_json(creator))

    @extend_schema(request=StudioCreatorInputSerializer, responses={201: StudioCreatorSerializer})
    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to apply as a creator.")
        data = StudioCreatorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        creator = creator_apply(user=request.user, **data.validated_data)
        return Response(creator_json(creator), status=status.HTTP_201_CREATED)


class ItemsApi(APIView):
    """``GET /api/v1/studio/items[?cursor=]``: the creator's own posts, newest first.
    ``POST`` (multipart: ``media`` files, ``caption``, ``tags``, ``products``, ``intent``,
    ``publish_at``): a new post, 201 ``{"id", "status"}``. An ``Idempotency-Key`` header makes a
    retried upload answer the post the first attempt made instead of making another."""

    throttle_scope = {"GET": "catalog", "POST": "uploads"}
    max_body_bytes = settings.STUDIO_UPLOAD_MAX_BYTES

    class QuerySerializer(serializers.Serializer):
        cursor = serializers.IntegerField(min_value=1, max_value=10**18 - 1, required=False)

    @extend_schema(
        operation_id="v1_studio_items_list", parameters=[QuerySerializer], responses={200: StudioItemsPageSerializer}
    )
    def get(self, request: Request) -> Response:
        creator = _creator(request)
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        items = selectors.studio_items(
            creator=creator, before_id=query.validated_data.get("cursor"), limit=ITEMS_PAGE + 1
        )
        page = items[:ITEMS_PAGE]
        more = len(items) > ITEMS_PAGE
        states = selectors.studio_states(page)
        return Response(
            {"items": [item_json(i, states[i.pk]) for i in page], "next_cursor": str(page[-1].pk) if more else None}
        )

    @extend_schema(
        request={"multipart/form-data": StudioUploadInputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        responses={201: StudioCreatedSerializer},
    )
    def post(self, request: Request) -> Response:
        creator = _creator(request)
        data = StudioUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item, _ = studio_item_create(
            creator=creator,
            files=data.validated_data["media"],
            fields=data.post_fields(),
            client_token=request.headers.get("Idempotency-Key", "").strip(),
        )
        return Response({"id": item.pk, "status": item.status}, status=status.HTTP_201_CREATED)


class ItemApi(APIView):
    """``GET`` / ``PATCH`` / ``DELETE /api/v1/studio/items/<id>``: one of the creator's own posts."""

    throttle_scope = {"GET": "catalog", "PATCH": "uploads", "DELETE": "uploads"}

    @extend_schema(responses={200: StudioItemSerializer})
    def get(self, request: Request, item_id: int) -> Response:
        return Response(_item_answer(_creator(request), item_id))

    @extend_schema(request=StudioPostInputSerializer, responses={200: StudioItemSerializer})
    def patch(self, request: Request, item_id: int) -> Response:
        creator = _creator(request)
        data = StudioPostInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        studio_item_update(creator=creator, item_id=item_id, fields=data.post_fields(), changed=data.fields_changed())
        return Response(_item_answer(creator, item_id))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, item_id: int) -> Response:
        studio_item_delete(creator=_creator(request), item_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ItemRetryApi(APIView):
    """``POST /api/v1/studio/items/<id>/retry``: process a failed post's originals again."""

    throttle_scope = "uploads"

    @extend_schema(request=None, responses={200: StudioItemSerializer})
    def post(self, request: Request, item_id: int) -> Response:
        creator = _creator(request)
        studio_item_retry(creator=creator, item_id=item_id)
        return Response(_item_answer(creator, item_id))


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(max_length=100, allow_blank=True, trim_whitespace=True)


class ProductSearchApi(APIView):
    """``GET /api/v1/studio/products?q=``: products on sale whose title or brand matches, to link to a post."""

    throttle_scope = "catalog"

    @extend_schema(parameters=[SearchQuery], responses={200: StudioProductSerializer(many=True)})
    def get(self, request: Request) -> Response:
        _creator(request)
        query = SearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response([product_json(p) for p in selectors.product_search(query=query.validated_data["q"])])


class TagSearchApi(APIView):
    """``GET /api/v1/studio/tags?q=``: tag suggestions ``[{slug, name}]`` for the tag field."""

    throttle_scope = "catalog"

    @extend_schema(parameters=[SearchQuery], responses={200: StudioTagSerializer(many=True)})
    def get(self, request: Request) -> Response:
        _creator(request)
        query = SearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response([tag_json(t) for t in selectors.tag_suggestions(query=query.validated_data["q"])])
