"""ASGI entry point: HTTP and WebSocket on one port (daphne).

Defaults to production settings; `make run` sets DJANGO_SETTINGS_MODULE to the dev module.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

application = ProtocolTypeRouter({"http": django_asgi_app})
