"""Session authentication that also accepts same-origin beacons.

``navigator.sendBeacon`` cannot set a CSRF header. A beacon still carries the browser's ``Origin``
header, which a cross-site page cannot forge; a POST whose Origin is this site is therefore
accepted without the header, and any other session POST needs the CSRF token as usual.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


class BeaconSessionAuthentication(SessionAuthentication):
    def enforce_csrf(self, request: Request) -> None:
        origin = request.headers.get("Origin")
        if origin and not request.headers.get("X-CSRFToken"):
            parts = urlsplit(origin)
            if parts.netloc == request.get_host() and parts.scheme == request.scheme:
                return
        super().enforce_csrf(request)
