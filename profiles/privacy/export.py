"""A shopper's data, exported whole: ``shopper_export(shopper=...)`` returns everything stored
about a shopper and the anonymous visitors merged into them as one JSON-ready dict:

* the database: account, consent history, interests, follows, likes, cart, orders, back-in-stock
  alerts, comments, messages and email choices, and interactions (stored and archived);
* the real-time store: ``rt:s:<id>:*`` (affinities, recent items, session, precomputed candidate
  list): affinities and recent items decoded, any other key as stored, in JSON-safe form
  (``json_safe``: text as text, binary values as base64);
* what the apps above keep (ranking's served-list log, …): the sections the receivers of
  ``signals.shopper_exported`` return.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from content.models import Comment
from feedsite import realtime
from feedsite.dispatch import answers
from profiles.events import state
from profiles.events.models import Interaction
from profiles.messages.models import Message, MessagePreference
from profiles.models import ConsentRecord, Follow, Interest, Like, Shopper
from profiles.privacy import archive, signals
from profiles.privacy.subjects import PrivacyStoreUnavailable, iso, realtime_keys, shopper_ids
from profiles.shop.models import CartLine, Order, StockAlert

EXPORT_FORMAT = "feedsite.shopper-export/1"


def json_safe(raw: bytes) -> str | dict[str, str]:
    """A stored value as JSON can hold it: text as a string, anything else (packed numbers,
    arrays) as ``{"base64": ...}``. Small packed integers are valid UTF-8 too: text is what
    decodes to printable characters."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        text = None
    if text is not None and (text.isprintable() or all(ch.isprintable() or ch in "\t\n\r" for ch in text)):
        return text
    return {"base64": base64.b64encode(raw).decode("ascii")}


def _field_name(raw: bytes) -> str:
    """A hash field or set member as a JSON object key (keys must be strings)."""
    value = json_safe(raw)
    return value if isinstance(value, str) else f"base64:{value['base64']}"


def _stored_value(client: Any, key: str) -> Any:
    """Any key of the real-time store, as stored, JSON-safe: a hash as an object, a list as a list,
    a set sorted, a sorted set as [member, score] pairs, a string as a string."""
    kind = client.type(key)
    if kind == b"hash":
        return {_field_name(f): json_safe(v) for f, v in sorted(client.hgetall(key).items())}
    if kind == b"list":
        return [json_safe(v) for v in client.lrange(key, 0, -1)]
    if kind == b"set":
        return sorted(_field_name(v) for v in client.smembers(key))
    if kind == b"zset":
        return [[json_safe(m), score] for m, score in client.zrange(key, 0, -1, withscores=True)]
    if kind == b"string":
        raw = client.get(key)
        return None if raw is None else json_safe(raw)
    return None  # gone meanwhile (expired), or a type this store never writes for a shopper


def _realtime_export(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Decayed affinities and recent items of each id, and any other ``rt:s:<id>:*`` key as stored."""
    client = realtime.worker_client()
    found = []
    for shopper_id in ids:
        keys = realtime_keys(shopper_id)
        if not keys:
            continue
        decoded = {state.shopper_key(shopper_id, "aff"), state.shopper_key(shopper_id, "recent")}
        other = {key: _stored_value(client, key) for key in keys if key not in decoded}
        found.append(
            {
                "shopper": shopper_id,
                "affinities": state.shopper_affinities(shopper_id),
                "recent": [
                    {"item": item, "type": kind, "at": iso(datetime.fromtimestamp(ts, tz=UTC))}
                    for item, kind, ts in state.shopper_recent(shopper_id)
                ],
                "other": other,
            }
        )
    return found


def _account(shopper: Shopper, ids: Sequence[int]) -> dict[str, Any]:
    user = shopper.user
    visitors = Shopper.objects.filter(pk__in=ids[1:]).order_by("pk")
    return {
        "shopper_id": shopper.pk,
        "visitor_id": str(shopper.visitor_id),
        "external_id": shopper.external_id,
        "personalization": shopper.personalization,
        "consent_updated_at": iso(shopper.consent_updated_at),
        "onboarded_at": iso(shopper.onboarded_at),
        "created_at": iso(shopper.created_at),
        "last_seen_at": iso(shopper.last_seen_at),
        "merged_visitors": [
            {"shopper_id": v.pk, "visitor_id": str(v.visitor_id), "created_at": iso(v.created_at)} for v in visitors
        ],
        "user": None
        if user is None
        else {
            "username": user.get_username(),
            "email": getattr(user, "email", ""),
            "first_name": getattr(user, "first_name", ""),
            "last_name": getattr(user, "last_name", ""),
            "date_joined": iso(getattr(user, "date_joined", None)),
            "last_login": iso(user.last_login),
            "is_active": user.is_active,
        },
    }


def _interactions(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Stored and archived interactions, once each (an archived row may still be in the database)."""
    rows = {
        values["event_id"]: archive.archive_row(values)
        for values in Interaction.objects.filter(shopper_id__in=ids).values(*archive.ARCHIVE_FIELDS)
    }
    for row in archive.archive_rows_for_shoppers(shopper_ids=ids):
        rows.setdefault(row["event_id"], row)
    return sorted(rows.values(), key=lambda row: (row["occurred_at"], row["event_id"]))


def _shop_export(shopper: Shopper, ids: Sequence[int]) -> dict[str, Any]:
    """Likes, cart, orders, back-in-stock alerts and comments (comments belong to the account, not to a visitor)."""
    orders = Order.objects.filter(shopper_id__in=ids).prefetch_related("lines").order_by("created_at", "pk")
    return {
        "likes": [
            {"item": like.content_id, "at": iso(like.created_at)}
            for like in Like.objects.filter(shopper_id__in=ids).order_by("created_at", "pk")
        ],
        "cart": [
            {
                "product": line.product_id,
                "title": line.product.title,
                "quantity": line.quantity,
                "at": iso(line.added_at),
            }
            for line in CartLine.objects.filter(cart__shopper_id__in=ids).select_related("product").order_by("pk")
        ],
        "orders": [
            {
                "number": order.number,
                "status": order.status,
                "total": str(order.total),
                "currency": order.currency,
                "shipping_name": order.shipping_name,
                "shipping_address": order.shipping_address,
                "payment_reference": order.payment_reference,
                "at": iso(order.created_at),
                "lines": [
                    {
                        "product": line.product_id,
                        "title": line.title,
                        "unit_price": str(line.unit_price),
                        "quantity": line.quantity,
                    }
                    for line in order.lines.all()
                ],
            }
            for order in orders
        ],
        "stock_alerts": [
            {"product": alert.product_id, "at": iso(alert.created_at), "due_at": iso(alert.due_at)}
            for alert in StockAlert.objects.filter(shopper_id__in=ids).order_by("created_at", "pk")
        ],
        "comments": []
        if shopper.user_id is None
        else [
            {"item": c.content_id, "body": c.body, "status": c.status, "at": iso(c.created_at)}
            for c in Comment.objects.filter(author_id=shopper.user_id).order_by("created_at", "pk")
        ],
    }


def _messages_export(ids: Sequence[int]) -> dict[str, Any]:
    """The inbox's messages (with what became of each) and the email choices."""
    return {
        "messages": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "body": m.body,
                "product": m.product_id,
                "at": iso(m.created_at),
                "emailed_at": iso(m.emailed_at),
                "opened_at": iso(m.opened_at),
                "clicked_at": iso(m.clicked_at),
                "read_at": iso(m.read_at),
            }
            for m in Message.objects.filter(shopper_id__in=ids).order_by("created_at", "pk")
        ],
        "message_preferences": [
            {
                "shopper": p.shopper_id,
                "email_abandoned_cart": p.email_abandoned_cart,
                "email_back_in_stock": p.email_back_in_stock,
                "email_price_drop": p.email_price_drop,
                "at": iso(p.updated_at),
            }
            for p in MessagePreference.objects.filter(shopper_id__in=ids).order_by("shopper_id")
        ],
    }


def shopper_export(*, shopper: Shopper) -> dict[str, Any]:
    """Everything stored about ``shopper`` and the visitors merged into them, ready for ``json.dumps``.

    Reads the database, the real-time store and the archive files holding them, and asks the
    receivers of ``signals.shopper_exported``. Raises ``PrivacyStoreUnavailable`` when the
    real-time store cannot be read: an export is complete or not given.
    """
    ids = shopper_ids(shopper)
    try:
        live = _realtime_export(ids)
    except realtime.RealtimeUnavailable as exc:
        raise PrivacyStoreUnavailable(
            "The real-time store is unavailable; try the export again shortly.", code="store_unavailable"
        ) from exc
    document = {
        "format": EXPORT_FORMAT,
        "generated_at": iso(timezone.now()),
        "account": _account(shopper, ids),
        "consent": [
            {"personalization": r.personalization, "source": r.source, "at": iso(r.created_at)}
            for r in ConsentRecord.objects.filter(shopper_id__in=ids).order_by("created_at", "pk")
        ],
        "interests": [
            {"tag": i.tag_id, "slug": i.tag.slug, "name": i.tag.name, "at": iso(i.created_at)}
            for i in Interest.objects.filter(shopper_id__in=ids).select_related("tag").order_by("created_at", "pk")
        ],
        "follows": [
            {"creator": f.creator_id, "handle": f.creator.handle, "at": iso(f.created_at)}
            for f in Follow.objects.filter(shopper_id__in=ids).select_related("creator").order_by("created_at", "pk")
        ],
        **_shop_export(shopper, ids),
        **_messages_export(ids),
        "interactions": _interactions(ids),
        "realtime": live,
    }
    for sections in answers(signals.shopper_exported, Shopper, shopper_ids=ids):
        if clash := document.keys() & sections.keys():
            raise ValueError(f"export sections {sorted(clash)} are taken")
        document.update(sections)
    return document
