"""WebSocket routes, and the Origin check that guards them.

Mattermost's own clients (bots, scripts, the mobile apps) send no Origin header, so an
absent Origin is let through; a browser always sends one, so a page on another site that
tries to use a visitor's MMAUTHTOKEN cookie (cross-site WebSocket hijacking) is refused.
"""

from typing import TYPE_CHECKING, cast
from urllib.parse import ParseResult

from channels.routing import URLRouter
from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.urls import re_path

from apps.realtime.consumers import MattermostConsumer

if TYPE_CHECKING:
    # Names from the types-channels stubs only; nothing to import at run time.
    from channels.consumer import _ASGIApplicationProtocol
    from channels.routing import _ExtendedURLPattern
    from channels.utils import _ChannelApplication


class PresentOriginValidator(OriginValidator):
    """Refuse an Origin outside ALLOWED_HOSTS (or CSRF_TRUSTED_ORIGINS); allow none."""

    def __init__(self, application: "_ChannelApplication") -> None:
        super().__init__(application, allowed_origins=())

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)

    def validate_origin(self, parsed_origin: ParseResult | None) -> bool:
        # Read per connection, never at import (tests and deployments change them).
        patterns = [*settings.ALLOWED_HOSTS, *settings.CSRF_TRUSTED_ORIGINS]
        return any(
            pattern == "*" or self.match_allowed_origin(parsed_origin, pattern)
            for pattern in patterns
        )


def _asgi_route(regex: str, app: "_ASGIApplicationProtocol") -> "_ExtendedURLPattern":
    """`re_path` for an ASGI application, which Channels' URLRouter routes as Django
    routes a view; django-stubs type `re_path` for views only."""
    route = re_path(regex, app)  # type: ignore[arg-type]  # an ASGI app; see the docstring
    return cast("_ExtendedURLPattern", route)


websocket_urlpatterns: "list[_ExtendedURLPattern | URLRouter]" = [
    _asgi_route(r"^api/v4/websocket/?$", MattermostConsumer.as_asgi()),
    _asgi_route(r"", WebsocketDenier.as_asgi()),
]


def websocket_application() -> PresentOriginValidator:
    return PresentOriginValidator(URLRouter(websocket_urlpatterns))
