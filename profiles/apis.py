"""The shopper's own state behind the feed's buttons: likes, follows and the consent choice.

The tracker's events are the learning signal; these endpoints are the state that survives a reload.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content import selectors as content_selectors
from content.models import ContentItem, Creator
from feedsite.errors import NotFound
from profiles.authentication import ShopperTokenAuthentication, VisitorSessionAuthentication
from profiles.selectors import like_count
from profiles.services import consent_set, follow_create, follow_delete, like_create, like_delete, shopper_for_request

# The token first: its ``WWW-Authenticate`` challenge makes a refused authentication a 401.
STATE_AUTHENTICATION = [ShopperTokenAuthentication, VisitorSessionAuthentication]


def published_item(item_id: int) -> ContentItem:
    item = content_selectors.published().filter(pk=item_id).first()
    if item is None:
        raise NotFound("No published post has this id.")
    return item


class LikeStateSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    liked = serializers.BooleanField()
    likes = serializers.IntegerField()


class FollowStateSerializer(serializers.Serializer):
    creator = serializers.IntegerField()
    following = serializers.BooleanField()


@extend_schema(request=None, responses={200: LikeStateSerializer})
class LikeApi(APIView):
    """``PUT`` / ``DELETE /api/v1/items/<id>/like``: like or unlike; answers ``{"item", "liked", "likes"}``."""

    authentication_classes = STATE_AUTHENTICATION

    def put(self, request: Request, item_id: int) -> Response:
        item = published_item(item_id)
        like_create(shopper=shopper_for_request(request), content=item)
        return Response({"item": item.pk, "liked": True, "likes": like_count(content_id=item.pk)})

    def delete(self, request: Request, item_id: int) -> Response:
        item = published_item(item_id)
        like_delete(shopper=shopper_for_request(request), content=item)
        return Response({"item": item.pk, "liked": False, "likes": like_count(content_id=item.pk)})


@extend_schema(request=None, responses={200: FollowStateSerializer})
class FollowApi(APIView):
    """``PUT`` / ``DELETE /api/v1/creators/<id>/follow``; answers ``{"creator", "following"}``."""

    authentication_classes = STATE_AUTHENTICATION

    def _creator(self, creator_id: int) -> Creator:
        creator = Creator.objects.filter(pk=creator_id).first()
        if creator is None:
            raise NotFound("No creator has this id.")
        return creator

    def put(self, request: Request, creator_id: int) -> Response:
        creator = self._creator(creator_id)
        follow_create(shopper=shopper_for_request(request), creator=creator)
        return Response({"creator": creator.pk, "following": True})

    def delete(self, request: Request, creator_id: int) -> Response:
        creator = self._creator(creator_id)
        follow_delete(shopper=shopper_for_request(request), creator=creator)
        return Response({"creator": creator.pk, "following": False})


class ConsentApi(APIView):
    """``POST /api/v1/me/consent`` with ``{"personalization": true|false}`` (the banner's choice)."""

    authentication_classes = STATE_AUTHENTICATION

    @extend_schema_serializer(component_name="Consent")
    class InputSerializer(serializers.Serializer):
        personalization = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={200: InputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shopper = consent_set(
            shopper=shopper_for_request(request),
            personalization=data.validated_data["personalization"],
            source="banner",
        )
        return Response({"personalization": shopper.personalization})
