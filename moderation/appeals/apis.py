"""The appeal API: ``POST /api/v1/studio/items/<id>/appeal`` with ``{"message"}``.

A creator's one appeal of their post that a moderator rejected or removed: 201
``{"id", "item", "status", "at", "response"}``. Errors (the error shape): 401 anonymous, 403
``not_a_creator`` / ``creator_not_approved``, 404 for a post that is not theirs, 400 for a blank or
too long message, 409 ``not_appealable`` / ``appeal_used``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.studio import selectors as studio_selectors
from content.studio.services import creator_for_studio
from feedsite.errors import NotFound
from moderation.appeals.selectors import appeal_json
from moderation.appeals.services import MESSAGE_MAX, appeal_create
from moderation.models import Appeal


@extend_schema_serializer(component_name="AppealInput")
class AppealInputSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=MESSAGE_MAX, help_text="why the decision should change")


class AppealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Appeal.Status.choices)
    at = serializers.DateTimeField()
    response = serializers.CharField(allow_blank=True)


class AppealApi(APIView):
    """``POST /api/v1/studio/items/<id>/appeal``: appeal a moderator's rejection or removal, once."""

    throttle_scope = "uploads"

    @extend_schema(request=AppealInputSerializer, responses={201: AppealSerializer})
    def post(self, request: Request, item_id: int) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to use the studio.")
        creator = creator_for_studio(request.user)
        data = AppealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = studio_selectors.studio_item(creator=creator, item_id=item_id)
        if item is None:
            raise NotFound("You have no post with this id.")
        appeal = appeal_create(creator=creator, item=item, message=data.validated_data["message"])
        return Response({"id": appeal.pk, "item": item.pk, **appeal_json(appeal)}, status=status.HTTP_201_CREATED)
