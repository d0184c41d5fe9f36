import socket
import threading
import time

import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from feedsite.serve import SERVER_OPTIONS, WS_MAX_MESSAGE_BYTES


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def echo_server():
    """uvicorn with the web process's options, serving an app that records what reaches it."""
    received: list[int] = []

    async def echo(scope, receive, send):
        if scope["type"] != "websocket":
            return
        while True:
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
            elif message["type"] == "websocket.receive":
                received.append(len(message.get("text") or message.get("bytes") or ""))
                await send({"type": "websocket.send", "text": "ok"})
            else:
                return

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(echo, host="127.0.0.1", port=port, log_level="warning", **SERVER_OPTIONS))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"ws://127.0.0.1:{port}/", received
    server.should_exit = True
    thread.join(timeout=10)


def test_a_frame_over_the_limit_is_refused_and_never_reaches_the_app(echo_server):
    url, received = echo_server

    with connect(url, max_size=None) as ws:
        ws.send("x" * 100)
        assert ws.recv(timeout=5) == "ok"
        ws.send("x" * (WS_MAX_MESSAGE_BYTES + 1))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009  # message too big
    assert received == [100]
