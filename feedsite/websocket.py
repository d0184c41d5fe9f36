"""The websocket handshake's origin check: a socket is opened only by a page of this very site.

The ``Origin`` must equal the site's own origin, scheme, host and port alike (the ``Host`` the
socket was asked on, itself one of ``ALLOWED_HOSTS``, with ``https`` for a ``wss`` socket), or
one of ``CSRF_TRUSTED_ORIGINS``. A browser always sends both headers; anything else is denied.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

Origin = tuple[str, str, int]
_DEFAULT_PORTS = {"http": 80, "https": 443}
# What Django itself accepts as Host in DEBUG when ALLOWED_HOSTS is empty.
_DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


def parse_origin(value: str) -> Origin | None:
    """``(scheme, host, port)`` of an origin such as ``https://shop.example:8443``, or None."""
    try:
        parts = urlsplit(value.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    values = [value for key, value in scope.get("headers", []) if key == name]
    # Two Origin or Host headers make the request ambiguous: no origin is trusted then.
    return values[0].decode("latin-1") if len(values) == 1 else None


def own_origin(scope: dict[str, Any]) -> Origin | None:
    """The origin the socket was asked on, if its host is one this site serves."""
    host = _header(scope, b"host")
    if host is None:
        return None
    domain, _ = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS or (_DEBUG_HOSTS if settings.DEBUG else [])
    if not domain or not validate_host(domain, allowed):
        return None
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    return parse_origin(f"{scheme}://{host}")


def origin_allowed(scope: dict[str, Any]) -> bool:
    origin = _header(scope, b"origin")
    parsed = parse_origin(origin) if origin is not None else None
    if parsed is None:
        return False
    trusted = {parse_origin(value) for value in settings.CSRF_TRUSTED_ORIGINS}
    return parsed == own_origin(scope) or parsed in trusted


class SameOriginValidator:
    """ASGI middleware for websocket routes: denies a handshake whose origin is not the site's own."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
