"""ASGI entry point: HTTP and WebSocket on one port (daphne).

Defaults to production settings; `make run` sets DJANGO_SETTINGS_MODULE to the dev module.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

# Imported once Django is set up: the consumer imports models.
from apps.realtime.routing import websocket_application  # noqa: E402

# /api/v4/websocket/ with an optional slash, behind an Origin check that refuses a present
# Origin outside ALLOWED_HOSTS and lets an absent one through (Mattermost's clients send
# none); every other WebSocket path is refused.
application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application()})
