"""ASGI entry point: HTTP through Django, websockets through Channels (routes of the ranking app)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feedsite.settings")
django_asgi_app = get_asgi_application()

# Imported once Django is set up: consumers import models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from feedsite.bodies import BodySizeLimit  # noqa: E402
from feedsite.websocket import SameOriginValidator  # noqa: E402
from ranking.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Bodies over the path's ceiling are refused before Django reads them.
        "http": BodySizeLimit(django_asgi_app),
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# A web process holds dozens of container objects per open websocket: with CPython's default
# thresholds, full collections run every few seconds while thousands of sockets connect, each one
# stalling every socket (bench/websockets.py). Rarer young collections promote far fewer in-flight
# objects, so full ones become rare; freezing moves what startup loaded (objects that live as long
# as the process) out of every scan. Young garbage waits for at most 50k allocations more.
gc.freeze()
gc.set_threshold(50_000, 20, 10)
