"""The cart behind the feed's Add buttons: ``/api/v1/cart`` and ``/api/v1/cart/lines``; back-in-stock
alerts: ``/api/v1/products/<id>/stock-alert``."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.models import Product
from feedsite.errors import NotFound
from profiles.apis import STATE_AUTHENTICATION, published_item
from profiles.events.schema import EVENT_ID_RE, MAX_POSITION, TOKEN_RE
from profiles.services import shopper_for_request
from profiles.shop.alerts import stock_alert_create, stock_alert_delete
from profiles.shop.cart import CardOrigin, cart_line_add, cart_line_remove, cart_line_set, cart_summary


def _product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id, active=True).first()
    if product is None:
        raise NotFound("No product on sale has this id.")
    return product


class CartSerializer(serializers.Serializer):
    """The cart as ``CartView.as_dict`` answers it: documentation of the schema only."""

    class Line(serializers.Serializer):
        class LineProduct(serializers.Serializer):
            id = serializers.IntegerField()
            title = serializers.CharField()
            price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
            currency = serializers.CharField()
            in_stock = serializers.BooleanField()
            stock = serializers.IntegerField(allow_null=True)
            url = serializers.CharField()

        product = LineProduct()
        quantity = serializers.IntegerField()
        line_total = serializers.DecimalField(max_digits=14, decimal_places=2)
        available = serializers.BooleanField()
        thumbnail = serializers.CharField(allow_blank=True)
        item = serializers.IntegerField(allow_null=True, help_text="the feed card the product was added from")

    count = serializers.IntegerField()
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    can_check_out = serializers.BooleanField()
    lines = Line(many=True)


class CartApi(APIView):
    """``GET /api/v1/cart``: the cart (``profiles.shop.cart.CartView.as_dict``)."""

    authentication_classes = STATE_AUTHENTICATION

    @extend_schema(responses={200: CartSerializer})
    def get(self, request: Request) -> Response:
        return Response(cart_summary(shopper=shopper_for_request(request, create=False)).as_dict())


class CartLinesApi(APIView):
    """``POST /api/v1/cart/lines``: add a product; answers the whole cart (201).

    ``item``, ``request_id``, ``position``, ``session_id``, ``context`` name the feed card it came
    from, and ``event_id`` is the tracker's id for this add-to-cart (one event however it arrives).
    """

    authentication_classes = STATE_AUTHENTICATION

    @extend_schema_serializer(component_name="CartLineAdd")
    class InputSerializer(serializers.Serializer):
        product = serializers.IntegerField(min_value=1)
        quantity = serializers.IntegerField(min_value=1, max_value=settings.CART_LINE_MAX_QUANTITY, default=1)
        item = serializers.IntegerField(min_value=1, required=False)
        request_id = serializers.RegexField(TOKEN_RE, required=False)
        session_id = serializers.RegexField(TOKEN_RE, required=False)
        position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)
        event_id = serializers.RegexField(EVENT_ID_RE, required=False)
        # Declared fields leave the class (DRF's metaclass), so this does not hide Serializer.context.
        context = serializers.DictField(required=False)  # type: ignore[assignment]

    @extend_schema(request=InputSerializer, responses={201: CartSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        shopper = shopper_for_request(request)
        origin = CardOrigin(
            content=published_item(values["item"]) if "item" in values else None,
            request_id=values.get("request_id", ""),
            position=values.get("position"),
            event_id=values.get("event_id", ""),
            session_id=values.get("session_id", ""),
            context=values.get("context"),
        )
        cart_line_add(shopper=shopper, product=_product(values["product"]), quantity=values["quantity"], origin=origin)
        return Response(cart_summary(shopper=shopper).as_dict(), status=status.HTTP_201_CREATED)


class CartLineApi(APIView):
    """``PATCH /api/v1/cart/lines/<product>`` with ``{"quantity"}`` (0 removes), ``DELETE`` to remove;
    both answer the whole cart."""

    authentication_classes = STATE_AUTHENTICATION

    @extend_schema_serializer(component_name="CartLineQuantity")
    class InputSerializer(serializers.Serializer):
        quantity = serializers.IntegerField(min_value=0, max_value=settings.CART_LINE_MAX_QUANTITY)

    @extend_schema(request=InputSerializer, responses={200: CartSerializer})
    def patch(self, request: Request, product_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shopper = shopper_for_request(request)
        product = Product.objects.filter(pk=product_id).first()
        if product is None:
            raise NotFound("No product has this id.")
        cart_line_set(shopper=shopper, product=product, quantity=data.validated_data["quantity"])
        return Response(cart_summary(shopper=shopper).as_dict())

    @extend_schema(request=None, responses={200: CartSerializer})
    def delete(self, request: Request, product_id: int) -> Response:
        shopper = shopper_for_request(request, create=False)  # nothing to remove from a cart never written
        product = Product.objects.filter(pk=product_id).first()
        if product is not None and shopper.pk is not None:
            cart_line_remove(shopper=shopper, product=product)
        return Response(cart_summary(shopper=shopper).as_dict())


class StockAlertSerializer(serializers.Serializer):
    """A shopper's back-in-stock alert for a product: documentation of the schema only."""

    product = serializers.IntegerField()
    alert = serializers.BooleanField(help_text="the shopper waits to hear when the product is back")


class StockAlertApi(APIView):
    """``POST /api/v1/products/<id>/stock-alert``: tell me when this sold-out product is back (201,
    signed-in shoppers only); ``DELETE``: cancel (idempotent). Both answer ``{"product", "alert"}``."""

    authentication_classes = STATE_AUTHENTICATION

    @extend_schema(request=None, responses={201: StockAlertSerializer})
    def post(self, request: Request, product_id: int) -> Response:
        product = _product(product_id)
        stock_alert_create(shopper=shopper_for_request(request, create=False), product=product)
        return Response({"product": product.pk, "alert": True}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: StockAlertSerializer})
    def delete(self, request: Request, product_id: int) -> Response:
        product = Product.objects.filter(pk=product_id).first()
        if product is None:
            raise NotFound("No product has this id.")
        stock_alert_delete(shopper=shopper_for_request(request, create=False), product=product)
        return Response({"product": product.pk, "alert": False})
