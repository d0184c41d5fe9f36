"""Admin of comments: moderators hide and show them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from content.models import Comment
from content.services import comment_set_status


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Moderators hide and show comments through ``comment_set_status``; bodies are never edited."""

    list_display = ("short_body", "author", "content", "status", "moderation_reason", "created_at")
    list_filter = ("status", "moderation_reason")
    list_select_related = ("author", "content")
    search_fields = ("body", "author__username")
    search_help_text = "Words in the comment, or the author's username."
    raw_id_fields = ("content", "author")
    readonly_fields = ("content", "author", "body", "status", "moderation_reason", "created_at")
    ordering = ("-pk",)
    actions = ("hide_comments", "show_comments")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="comment")
    def short_body(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(80)

    @admin.action(description="Hide selected comments", permissions=["change"])
    def hide_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset:
            comment_set_status(comment=comment, status=Comment.Status.HIDDEN, reason="moderator")
        self.message_user(request, f"Hid {len(queryset)} comment(s).", messages.SUCCESS)

    @admin.action(description="Show selected comments", permissions=["change"])
    def show_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset:
            comment_set_status(comment=comment, status=Comment.Status.VISIBLE)
        self.message_user(request, f"Showed {len(queryset)} comment(s).", messages.SUCCESS)
