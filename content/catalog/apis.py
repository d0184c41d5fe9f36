"""``/api/v1/catalog/``: merchants create and update their brand's products by SKU (docs/catalog.md).

Token authentication only: a merchant's integration is a server, never a browser session.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from content.catalog.selectors import merchant_brands, merchant_product
from content.catalog.serializers import (
    SKU_RE,
    BulkInputSerializer,
    BulkResultSerializer,
    BulkRowSerializer,
    ProductInputSerializer,
    ProductOutputSerializer,
    PutResultSerializer,
    product_json,
)
from content.catalog.services import (
    BULK_MAX_ROWS,
    Outcome,
    ProductData,
    PutResult,
    catalog_product_put,
    catalog_products_put_many,
)
from content.models import Brand
from feedsite.errors import ApplicationError, Forbidden, NotFound
from feedsite.limits import batch_cost

# 500 rows of ~400 bytes each, with room for long titles and labels.
BULK_MAX_BODY_BYTES = 256 * 1024
SKU_PARAMETER = OpenApiParameter(
    "sku", str, OpenApiParameter.PATH, pattern=SKU_RE.pattern, description="the merchant's SKU"
)


def _brands(request: Request) -> list[Brand]:
    brands = merchant_brands(request.user)
    if not brands:
        raise Forbidden("This account does not sync any brand's catalog.", code="not_a_merchant")
    return brands


def _valid_sku(sku: str) -> str:
    if not SKU_RE.match(sku):
        raise ApplicationError(
            "A SKU is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit.",
            code="invalid_sku",
            extra={"sku": sku[:120]},
        )
    return sku


def _data(validated: dict[str, Any]) -> ProductData:
    return ProductData(**{k: v for k, v in validated.items() if k != "sku"})


def _error_json(error: ApplicationError) -> dict[str, Any]:
    return {"code": error.code, "message": error.message, "extra": error.extra}


class CatalogApi(APIView):
    permission_classes = [IsAuthenticated]

    def get_authenticators(self) -> list[BaseAuthentication]:
        # The project's token class (the settings name it: content does not import profiles), never a session.
        classes = cast("list[type[BaseAuthentication]]", api_settings.DEFAULT_AUTHENTICATION_CLASSES)
        return [auth() for auth in classes if issubclass(auth, TokenAuthentication)]


class CatalogProductApi(CatalogApi):
    """``GET|PUT /api/v1/catalog/products/<sku>``: one product of the merchant's brand(s)."""

    throttle_scope = {"GET": "catalog_sync", "PUT": "catalog_sync"}

    @extend_schema(parameters=[SKU_PARAMETER], responses={200: ProductOutputSerializer})
    def get(self, request: Request, sku: str) -> Response:
        product = merchant_product(brands=_brands(request), sku=sku)
        if product is None:
            raise NotFound("None of your brands has a product with this SKU.", extra={"sku": sku[:120]})
        return Response(product_json(product))

    @extend_schema(
        parameters=[SKU_PARAMETER],
        request=ProductInputSerializer,
        responses={200: PutResultSerializer, 201: PutResultSerializer},
    )
    def put(self, request: Request, sku: str) -> Response:
        brands = _brands(request)
        sku = _valid_sku(sku)
        if not isinstance(request.data, dict):
            raise ApplicationError("The body must be a JSON object: the product.", code="invalid")
        data = ProductInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = catalog_product_put(brands=brands, sku=sku, data=_data(data.validated_data))
        return Response(
            {"status": result.outcome.value, "product": product_json(result.product)},
            status=status.HTTP_201_CREATED if result.outcome == Outcome.CREATED else status.HTTP_200_OK,
        )


class CatalogProductsBulkApi(CatalogApi):
    """``POST /api/v1/catalog/products:bulk`` with ``{"products": [{"sku", …}, …]}`` (at most 500).

    Each row is validated and written on its own: valid rows are kept when others are refused.
    Answers a result per row (``created | updated | unchanged | rejected`` with its error) and the
    counts. Rows count one by one against the ``catalog_sync`` rate.
    """

    throttle_scope = "catalog_sync"
    max_body_bytes = BULK_MAX_BODY_BYTES

    @staticmethod
    def throttle_cost(request: Request) -> int:
        """The number of product rows sent."""
        return batch_cost(request, key="products", max_body_bytes=BULK_MAX_BODY_BYTES)

    @extend_schema(request=BulkInputSerializer, responses={200: BulkResultSerializer})
    def post(self, request: Request) -> Response:
        brands = _brands(request)
        body = request.data
        rows = body.get("products") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise ApplicationError('The body must be a JSON object {"products": [...]}.', code="invalid_batch")
        if len(rows) > BULK_MAX_ROWS:
            raise ApplicationError(
                f"At most {BULK_MAX_ROWS} products per call; split the batch.",
                code="too_many_rows",
                extra={"max": BULK_MAX_ROWS, "sent": len(rows)},
            )
        results: dict[int, PutResult | ApplicationError] = {}
        valid: list[tuple[int, str, ProductData]] = []
        skus: list[str | None] = []
        for index, row in enumerate(rows):
            sku = row.get("sku") if isinstance(row, dict) else None
            skus.append(sku if isinstance(sku, str) else None)
            if not isinstance(row, dict):
                results[index] = ApplicationError("A row must be a JSON object: a product.", code="invalid")
                continue
            parsed = BulkRowSerializer(data=row)
            if not parsed.is_valid():
                results[index] = ApplicationError(
                    "The row is not valid.", code="invalid", extra={"fields": parsed.errors}
                )
                continue
            valid.append((index, parsed.validated_data["sku"], _data(parsed.validated_data)))
        results.update(catalog_products_put_many(brands=brands, rows=valid))
        answer: dict[str, Any] = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "results": []}
        for index in range(len(rows)):
            result = results[index]
            line: dict[str, Any] = {"index": index, "sku": skus[index]}
            if isinstance(result, ApplicationError):
                line |= {"status": "rejected", "error": _error_json(result)}
            else:
                line["status"] = result.outcome.value
            answer[line["status"]] += 1
            answer["results"].append(line)
        return Response(answer)
