from django.urls import path

from content.catalog.apis import CatalogProductApi, CatalogProductsBulkApi

urlpatterns = [
    path("catalog/products:bulk", CatalogProductsBulkApi.as_view(), name="catalog-products-bulk"),
    path("catalog/products/<str:sku>", CatalogProductApi.as_view(), name="catalog-product"),
]
