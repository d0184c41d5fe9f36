from django.urls import path

from content.studio import apis

urlpatterns = [
    path("studio/creator", apis.CreatorApi.as_view(), name="studio-creator"),
    path("studio/items", apis.ItemsApi.as_view(), name="studio-items"),
    path("studio/items/<id:item_id>", apis.ItemApi.as_view(), name="studio-item"),
    path("studio/items/<id:item_id>/retry", apis.ItemRetryApi.as_view(), name="studio-item-retry"),
    path("studio/products", apis.ProductSearchApi.as_view(), name="studio-products"),
    path("studio/tags", apis.TagSearchApi.as_view(), name="studio-tags"),
]
