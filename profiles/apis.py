"""The events API; the shopper's likes, follows, cart and consent; their own data: export and erasure."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content import selectors as content_selectors
from content.models import ContentItem, Creator, Product
from feedsite.errors import ApplicationError, NotFound
from profiles.authentication import (
    BeaconSessionAuthentication,
    ShopperTokenAuthentication,
    VisitorSessionAuthentication,
)
from profiles.cart import CardOrigin, cart_line_add, cart_line_remove, cart_line_set, cart_summary
from profiles.events.ingest import events_ingest
from profiles.events.schema import EVENT_ID_RE, MAX_POSITION, TOKEN_RE
from profiles.models import Shopper
from profiles.privacy import shopper_erase, shopper_export
from profiles.selectors import like_count
from profiles.services import (
    consent_set,
    follow_create,
    follow_delete,
    like_create,
    like_delete,
    shopper_for_request,
)

# 500 events × ~400 bytes, with room for long contexts.
MAX_BODY_BYTES = 256 * 1024


class PayloadTooLarge(ApplicationError):
    http_status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class EventsApi(APIView):
    """``POST /api/v1/events`` with ``{"events": [...]}``.

    Answers ``{"accepted", "duplicates", "bots", "not_recorded", "rejected": [{"index", "reason", "detail"}]}``.
    The valid events of a batch are kept even when others in it are rejected.
    """

    authentication_classes = [BeaconSessionAuthentication, ShopperTokenAuthentication]

    def post(self, request: Request) -> Response:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY_BYTES:
            raise PayloadTooLarge(
                f"The body is {length} bytes; at most {MAX_BODY_BYTES} are accepted.",
                code="body_too_large",
                extra={"max_bytes": MAX_BODY_BYTES},
            )
        body = request.data
        if not isinstance(body, dict) or "events" not in body:
            raise ApplicationError('The body must be a JSON object {"events": [...]}.', code="invalid_batch")
        result = events_ingest(
            shopper=shopper_for_request(request),
            raw_events=body["events"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(result.as_dict(), status=status.HTTP_200_OK)


def own_shopper(request: Request) -> Shopper:
    """The requesting shopper, for acting on their whole history.

    An old visitor cookie still resolves to the account it was merged into; reading or erasing an
    account's data needs that account signed in, not only the cookie.
    """
    shopper = shopper_for_request(request)
    if shopper.user_id is not None and request.user.pk != shopper.user_id:
        raise NotAuthenticated("Sign in to export or erase this account's data.")
    return shopper


class MeExportApi(APIView):
    """``GET /api/v1/me/export``: everything stored about the requesting shopper (``shopper_export``)."""

    def get(self, request: Request) -> Response:
        return Response(shopper_export(shopper=own_shopper(request)))


class MeEraseApi(APIView):
    """``POST /api/v1/me/erase`` with ``{"confirm": "erase"}``: erase the requesting shopper everywhere.

    Answers the erasure report (counts per store). Signs the session out and drops the visitor
    cookie, so the next request starts as a new visitor.
    """

    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        confirm = serializers.CharField(required=False, allow_blank=True, default="")

    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated and settings.VISITOR_COOKIE in request.COOKIES:
            # DRF checks CSRF only for a signed-in session; a visitor known by cookie needs it too.
            SessionAuthentication().enforce_csrf(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["confirm"] != "erase":
            raise ApplicationError(
                'Erasing deletes all your data for good; send {"confirm": "erase"} to go ahead.',
                code="confirmation_required",
            )
        report = shopper_erase(shopper=own_shopper(request), requested_by="self-service")
        if request.user.is_authenticated:
            logout(request._request)
        response = Response(report.as_dict(), status=status.HTTP_200_OK)
        response.delete_cookie(settings.VISITOR_COOKIE, samesite="Lax")
        return response


# ---- the shopper's own state behind the feed's buttons ----------------------------------------
# The tracker's events are the learning signal; these endpoints are the state that survives a reload.

STATE_AUTHENTICATION = [VisitorSessionAuthentication, ShopperTokenAuthentication]


def _published_item(item_id: int) -> ContentItem:
    item = content_selectors.published().filter(pk=item_id).first()
    if item is None:
        raise NotFound("No published post has this id.")
    return item


def _product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id, active=True).first()
    if product is None:
        raise NotFound("No product on sale has this id.")
    return product


class LikeApi(APIView):
    """``PUT`` / ``DELETE /api/v1/items/<id>/like``: like or unlike; answers ``{"item", "liked", "likes"}``."""

    authentication_classes = STATE_AUTHENTICATION

    def put(self, request: Request, item_id: int) -> Response:
        item = _published_item(item_id)
        like_create(shopper=shopper_for_request(request), content=item)
        return Response({"item": item.pk, "liked": True, "likes": like_count(content_id=item.pk)})

    def delete(self, request: Request, item_id: int) -> Response:
        item = _published_item(item_id)
        like_delete(shopper=shopper_for_request(request), content=item)
        return Response({"item": item.pk, "liked": False, "likes": like_count(content_id=item.pk)})


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


class CartApi(APIView):
    """``GET /api/v1/cart``: the cart (``profiles.cart.CartView.as_dict``)."""

    authentication_classes = STATE_AUTHENTICATION

    def get(self, request: Request) -> Response:
        return Response(cart_summary(shopper=shopper_for_request(request)).as_dict())


class CartLinesApi(APIView):
    """``POST /api/v1/cart/lines``: add a product; answers the whole cart (201).

    ``item``, ``request_id``, ``position``, ``session_id``, ``context`` name the feed card it came
    from, and ``event_id`` is the tracker's id for this add-to-cart (one event however it arrives).
    """

    authentication_classes = STATE_AUTHENTICATION

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

    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        shopper = shopper_for_request(request)
        origin = CardOrigin(
            content=_published_item(values["item"]) if "item" in values else None,
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

    class InputSerializer(serializers.Serializer):
        quantity = serializers.IntegerField(min_value=0, max_value=settings.CART_LINE_MAX_QUANTITY)

    def patch(self, request: Request, product_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shopper = shopper_for_request(request)
        product = Product.objects.filter(pk=product_id).first()
        if product is None:
            raise NotFound("No product has this id.")
        cart_line_set(shopper=shopper, product=product, quantity=data.validated_data["quantity"])
        return Response(cart_summary(shopper=shopper).as_dict())

    def delete(self, request: Request, product_id: int) -> Response:
        shopper = shopper_for_request(request)
        product = Product.objects.filter(pk=product_id).first()
        if product is not None:
            cart_line_remove(shopper=shopper, product=product)
        return Response(cart_summary(shopper=shopper).as_dict())


class ConsentApi(APIView):
    """``POST /api/v1/me/consent`` with ``{"personalization": true|false}`` (the banner's choice)."""

    authentication_classes = STATE_AUTHENTICATION

    class InputSerializer(serializers.Serializer):
        personalization = serializers.BooleanField()

    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shopper = consent_set(
            shopper=shopper_for_request(request),
            personalization=data.validated_data["personalization"],
            source="banner",
        )
        return Response({"personalization": shopper.personalization})
