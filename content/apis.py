"""The content API: comments on a post."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content import selectors
from content.models import Comment, ContentItem
from content.services import comment_create
from feedsite.errors import NotFound

# One sheet's worth on a phone; the sheet asks for more as it scrolls.
COMMENTS_PAGE = 20


def comment_json(comment: Comment) -> dict[str, Any]:
    author = comment.author
    return {
        "id": comment.pk,
        "body": comment.body,
        "author": {"username": author.get_username(), "name": author.first_name or author.get_username()},
        "created_at": comment.created_at.isoformat(),
        "status": comment.status,
    }


def _published_item(item_id: int) -> ContentItem:
    item = selectors.published().filter(pk=item_id).first()
    if item is None:
        raise NotFound("No published post has this id.")
    return item


class CommentSerializer(serializers.Serializer):
    """A comment as ``comment_json`` answers it: documentation of the schema only."""

    class Author(serializers.Serializer):
        username = serializers.CharField()
        name = serializers.CharField()

    id = serializers.IntegerField()
    body = serializers.CharField(allow_blank=True)
    author = Author()
    created_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Comment.Status.choices)


class CommentsPageSerializer(serializers.Serializer):
    comments = CommentSerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True, help_text="pass it as `before` for the next page")


class PostedCommentSerializer(serializers.Serializer):
    comment = CommentSerializer()
    message = serializers.CharField(allow_blank=True, help_text="why the comment is held, when it is")


class CommentsApi(APIView):
    """``GET /api/v1/items/<id>/comments[?before=<comment id>]``: visible comments, newest first,
    ``{"comments", "next_before"}``. ``POST`` with ``{"body"}`` (signed in): answers the comment
    (201), ``"status": "hidden"`` and a ``message`` when a check held it for review."""

    throttle_scope = {"GET": "catalog", "POST": "comments"}

    class QuerySerializer(serializers.Serializer):
        before = serializers.IntegerField(min_value=1, required=False)

    @extend_schema_serializer(component_name="CommentInput")
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=10_000)

    @extend_schema(parameters=[QuerySerializer], responses={200: CommentsPageSerializer})
    def get(self, request: Request, item_id: int) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        item = _published_item(item_id)
        comments = selectors.comments_visible(
            content_id=item.pk, limit=COMMENTS_PAGE + 1, before_id=query.validated_data.get("before")
        )
        page = comments[:COMMENTS_PAGE]
        return Response(
            {
                "comments": [comment_json(c) for c in page],
                "next_before": page[-1].pk if len(comments) > COMMENTS_PAGE else None,
            }
        )

    @extend_schema(request=InputSerializer, responses={201: PostedCommentSerializer})
    def post(self, request: Request, item_id: int) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to comment.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_create(
            content=_published_item(item_id), author=request.user, body=data.validated_data["body"]
        )
        body = {"comment": comment_json(comment), "message": ""}
        if comment.status == Comment.Status.HIDDEN:
            body["message"] = "Thanks! Your comment is held for a moderator before it shows."
        return Response(body, status=status.HTTP_201_CREATED)
