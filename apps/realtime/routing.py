"""WebSocket routes, and the Origin check that guards them.

Mattermost's own clients (bots, scripts, the mobile apps) send no Origin header, so an
absent Origin is let through; a browser always sends one, so a page on another site that
tries to use a visitor's MMAUTHTOKEN cookie (cross-site WebSocket hijacking) is refused.
"""

from channels.routing import URLRouter
from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.urls import re_path

from apps.realtime.consumers import MattermostConsumer


class PresentOriginValidator(OriginValidator):
    """Refuse an Origin outside ALLOWED_HOSTS (or CSRF_TRUSTED_ORIGINS); allow none."""

    def __init__(self, application) -> None:
        super().__init__(application, allowed_origins=())

    def valid_origin(self, parsed_origin) -> bool:
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)

    def validate_origin(self, parsed_origin) -> bool:
        # Read per connection, never at import (tests and deployments change them).
        patterns = [*settings.ALLOWED_HOSTS, *settings.CSRF_TRUSTED_ORIGINS]
        return any(
            pattern == "*" or self.match_allowed_origin(parsed_origin, pattern)
            for pattern in patterns
        )


websocket_urlpatterns = [
    re_path(r"^api/v4/websocket/?$", MattermostConsumer.as_asgi()),
    re_path(r"", WebsocketDenier.as_asgi()),
]


def websocket_application():
    return PresentOriginValidator(URLRouter(websocket_urlpatterns))
