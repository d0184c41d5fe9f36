from django.urls import path

from moderation.reports.apis import CommentReportApi, ItemReportApi

urlpatterns = [
    path("items/<id:item_id>/report", ItemReportApi.as_view(), name="item-report"),
    path("comments/<id:comment_id>/report", CommentReportApi.as_view(), name="comment-report"),
]
