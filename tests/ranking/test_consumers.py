"""The feed socket through the real ASGI application: origin check, session auth, visitor cookie, groups."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client

from feedsite import realtime
from profiles.middleware import visitor_id_sign
from ranking import consumers, presence
from ranking.consumers import MAX_WATCHED
from ranking.push import group_send_many
from tests.factories import ShopperFactory, UserFactory
from tests.ranking.sockets import HOST, ORIGIN, communicator, pushed, run, settle, socket, visitor_headers, watch

pytestmark = pytest.mark.django_db


async def closed_with(ws) -> int:
    """The close code of a socket the server accepts and closes at once."""
    connected, _ = await ws.connect(timeout=5)
    assert connected
    output = await ws.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    return int(output["code"])


@pytest.mark.parametrize(
    ("cookie", "expected"),
    [
        pytest.param(None, 4401, id="no-cookie"),
        pytest.param("3f1c1d7e-0000-4000-8000-000000000000:forged", 4401, id="bad-signature"),
        pytest.param("unknown-visitor", 4404, id="valid-signature-no-shopper"),
    ],
)
def test_a_socket_without_a_known_shopper_is_closed_with_a_clear_code(cookie, expected):
    headers = [HOST, (b"origin", ORIGIN)]
    if cookie == "unknown-visitor":
        headers.append((b"cookie", f"{settings.VISITOR_COOKIE}={visitor_id_sign(uuid.uuid4())}".encode()))
    elif cookie is not None:
        headers.append((b"cookie", f"{settings.VISITOR_COOKIE}={cookie}".encode()))

    async def scenario():
        return await closed_with(communicator(headers))

    code = run(scenario)

    assert code == expected
    assert presence.connected_shoppers() == set()


@pytest.mark.parametrize("origin", [b"https://evil.example", None], ids=["foreign-origin", "no-origin"])
def test_a_handshake_from_another_origin_is_refused(origin):
    shopper = ShopperFactory(user=None)

    async def scenario():
        ws = communicator(visitor_headers(shopper, origin=origin))
        return await ws.connect(timeout=5)

    connected, _ = run(scenario)

    assert connected is False
    assert presence.connected_shoppers() == set()


def test_a_visitor_is_online_while_connected_and_gets_personal_pushes():
    shopper = ShopperFactory(user=None)
    other = ShopperFactory(user=None)

    async def scenario():
        async with socket(visitor_headers(shopper)) as ws:
            online = await sync_to_async(presence.connected_shoppers)()
            await sync_to_async(group_send_many)(
                [pushed(f"shopper.{other.pk}", {"n": 1}), pushed(f"shopper.{shopper.pk}", {"n": 2})]
            )
            received = await ws.receive_json_from(timeout=5)
            quiet = await ws.receive_nothing(timeout=0.2)
        return online, received, quiet

    online, received, quiet = run(scenario)

    assert online == {shopper.pk}
    assert received == {"n": 2}
    assert quiet
    assert presence.connected_shoppers() == set()


def test_a_signed_in_user_is_known_by_the_session_cookie():
    user = UserFactory()
    shopper = ShopperFactory(user=user)
    browser = Client()
    browser.force_login(user)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    headers = [HOST, (b"origin", ORIGIN), (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())]

    async def scenario():
        async with socket(headers) as ws:
            await sync_to_async(group_send_many)([pushed(f"shopper.{shopper.pk}", {"hello": user.username})])
            return await ws.receive_json_from(timeout=5)

    assert run(scenario) == {"hello": user.username}


def test_a_merged_visitor_cookie_does_not_open_the_accounts_socket():
    target = ShopperFactory()
    visitor = ShopperFactory(user=None, merged_into=target)

    async def scenario():
        return await closed_with(communicator(visitor_headers(visitor)))

    code = run(scenario)

    assert code == consumers.CLOSE_NO_SHOPPER
    assert presence.connected_shoppers() == set()


def test_watch_replaces_the_watched_items_and_caps_their_number():
    shopper = ShopperFactory(user=None)
    first = list(range(1, MAX_WATCHED + 3))

    async def scenario():
        async with socket(visitor_headers(shopper)) as ws:
            await watch(ws, *first)
            await sync_to_async(group_send_many)(
                [
                    pushed(f"item.{MAX_WATCHED + 1}", {"item": MAX_WATCHED + 1}),
                    pushed(f"item.{MAX_WATCHED}", {"item": MAX_WATCHED}),
                ]
            )
            capped = await ws.receive_json_from(timeout=5)
            capped_quiet = await ws.receive_nothing(timeout=0.2)
            await watch(ws, 500, 500)
            await sync_to_async(group_send_many)([pushed("item.1", {"item": 1}), pushed("item.500", {"item": 500})])
            replaced = await ws.receive_json_from(timeout=5)
            replaced_quiet = await ws.receive_nothing(timeout=0.2)
        return capped, capped_quiet, replaced, replaced_quiet

    capped, capped_quiet, replaced, replaced_quiet = run(scenario)

    assert (capped, capped_quiet) == ({"item": MAX_WATCHED}, True)
    assert (replaced, replaced_quiet) == ({"item": 500}, True)


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        '["watch"]',
        '{"type": "subscribe", "items": [1]}',
        '{"type": "watch", "items": "1,2"}',
        '{"type": "watch", "items": ["1"]}',
        '{"type": "watch", "items": [true]}',
        '{"type": "watch", "items": [0]}',
        '{"type": "watch", "items": [1.5]}',
        '{"type": "watch", "items": [' + ",".join(str(i) for i in range(1000, 1300)) + "]}",
    ],
    ids=[
        "not-json",
        "not-an-object",
        "unknown-type",
        "items-not-a-list",
        "string-id",
        "bool-id",
        "zero-id",
        "float-id",
        "too-long",
    ],
)
def test_a_message_outside_the_protocol_closes_the_socket_and_joins_nothing(frame):
    shopper = ShopperFactory(user=None)

    async def scenario():
        ws = communicator(visitor_headers(shopper))
        assert (await ws.connect(timeout=5))[0]
        await ws.send_to(text_data=frame)
        output = await ws.receive_output(timeout=5)
        await ws.disconnect()
        return output

    output = run(scenario)

    assert output == {"type": "websocket.close", "code": 4400}


def test_ping_puts_the_shopper_back_online_and_answers_nothing(monkeypatch):
    monkeypatch.setattr(consumers, "TOUCH_EVERY_SECONDS", 0.0)
    shopper = ShopperFactory(user=None)

    async def scenario():
        async with socket(visitor_headers(shopper)) as ws:
            await sync_to_async(realtime.client().delete)(presence.KEY)  # as if the presence had lapsed
            await ws.send_json_to({"type": "ping"})
            await settle(ws)
            return await sync_to_async(presence.connected_shoppers)()

    assert run(scenario) == {shopper.pk}


def test_sockets_sharing_a_group_keep_it_until_the_last_one_leaves():
    first, second = ShopperFactory(user=None), ShopperFactory(user=None)

    async def scenario():
        async with socket(visitor_headers(first)) as a, socket(visitor_headers(second)) as b:
            await watch(a, 7)
            await watch(b, 7)
            await watch(a, 8)  # `a` leaves item.7; the process stays in it for `b`
            await sync_to_async(group_send_many)([pushed("item.7", {"item": 7}), pushed("item.8", {"item": 8})])
            return [await a.receive_json_from(timeout=5), await b.receive_json_from(timeout=5)], [
                await a.receive_nothing(timeout=0.2),
                await b.receive_nothing(timeout=0.1),
            ]

    received, quiet = run(scenario)

    assert received == [{"item": 8}, {"item": 7}]
    assert quiet == [True, True]
