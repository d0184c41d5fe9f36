from django.urls import path

from moderation.appeals.apis import AppealApi

urlpatterns = [
    path("studio/items/<id:item_id>/appeal", AppealApi.as_view(), name="studio-item-appeal"),
]
