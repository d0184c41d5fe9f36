"""Request body size limits, enforced before a body is read.

Two guards, one rule: a body larger than its endpoint accepts is refused with 413 (in the API's
error shape under ``/api/``) without being read.

- ``BodySizeLimit`` wraps the ASGI application: Django's ASGI handler reads a whole body before
  any middleware runs, so the ceiling of a path (``API_BODY_CEILING_BYTES`` under ``/api/`` but
  for the upload paths of ``API_BODY_CEILING_PREFIXES``, ``REQUEST_BODY_MAX_BYTES`` elsewhere)
  is applied here, from ``Content-Length``, or by counting a chunked body as it arrives.
- ``BodyLimitMiddleware`` applies each view's own limit from ``Content-Length`` before the view
  parses anything: an API view's ``max_body_bytes`` (default ``API_BODY_MAX_BYTES``). DRF's
  parsers read the stream themselves, so ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not cover them;
  it stays the backstop of form posts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from feedsite.errors import API_PREFIX, PayloadTooLarge, error_response

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def path_ceiling(path: str) -> int:
    """The most any endpoint under ``path`` accepts (upload paths: ``API_BODY_CEILING_PREFIXES``)."""
    if not path.startswith(API_PREFIX):
        return settings.REQUEST_BODY_MAX_BYTES
    for prefix, ceiling in settings.API_BODY_CEILING_PREFIXES.items():
        if path.startswith(prefix):
            return int(ceiling)
    return settings.API_BODY_CEILING_BYTES


def view_limit(path: str, view_func: Callable[..., Any]) -> int:
    """The limit of one view: its class's ``max_body_bytes``, else the API's or the site's default."""
    own = getattr(getattr(view_func, "cls", None), "max_body_bytes", None)
    if own is not None:
        return int(own)
    return settings.API_BODY_MAX_BYTES if path.startswith(API_PREFIX) else settings.REQUEST_BODY_MAX_BYTES


def too_large(path: str, max_bytes: int) -> HttpResponse:
    if path.startswith(API_PREFIX):
        return error_response(PayloadTooLarge(max_bytes))
    return HttpResponse("Request body too large.", status=413, content_type="text/plain; charset=utf-8")


class BodyLimitMiddleware:
    """Refuses a declared ``Content-Length`` over the view's limit, before the view reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        declared = request.META.get("CONTENT_LENGTH")
        if not declared:
            return None
        try:
            length = int(declared)
        except ValueError:
            return None  # Django reads such a body as empty
        limit = view_limit(request.path, view_func)
        return too_large(request.path, limit) if length > limit else None


class BodySizeLimit:
    """ASGI middleware: a body over the path's ceiling is answered 413 and never read.

    With ``Content-Length`` the server delivers no more than it declares, so the header decides.
    A chunked body is read message by message, up to the ceiling, and handed on from that buffer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ceiling = path_ceiling(scope["path"])
        declared = chunked = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = value
        if declared is not None:
            if declared.strip().isdigit() and int(declared) > ceiling:
                await _send_too_large(send, scope["path"], ceiling)
                return
            await self.app(scope, receive, send)
            return
        if chunked is None:
            await self.app(scope, receive, send)
            return
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > ceiling:
                await _send_too_large(send, scope["path"], ceiling)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)


async def _send_too_large(send: Send, path: str, max_bytes: int) -> None:
    response = too_large(path, max_bytes)
    headers = [(b"content-type", response["Content-Type"].encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": response.content})
