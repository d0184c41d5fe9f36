"""``python -m feedsite.serve``: the web process (HTTP and websockets) with the options production needs.

``make run`` starts it; tests of the websocket transport start uvicorn with ``SERVER_OPTIONS`` too.
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

# The feed socket's largest message is 1,024 characters (ranking.consumers): a bigger frame is
# refused from its header, before its payload is read.
WS_MAX_MESSAGE_BYTES = 4 * 1024

SERVER_OPTIONS: dict[str, Any] = {
    "ws_max_size": WS_MAX_MESSAGE_BYTES,
    # Compressing each push costs more CPU than it saves at thousands of sockets.
    "ws_per_message_deflate": False,
    # The scheme (https/wss) comes from the proxy in front (X-Forwarded-Proto), for the origin check.
    "proxy_headers": True,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    uvicorn.run("feedsite.asgi:application", host=args.host, port=args.port, workers=args.workers, **SERVER_OPTIONS)


if __name__ == "__main__":
    main()
