"""The API's rate limit as a DRF throttle: one bucket per user, or per address for
callers without a session (SECURITY 6)."""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.core.addresses import address_group, client_address
from apps.core.ratelimit import api_rate, rate_limit_hit


def rate_limit_key(request: Request) -> str:
    """A signed-in user's requests share one bucket whatever session or token they use, so
    many tokens buy no more; anonymous callers (webhooks, login) share their address's."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.id}"
    return f"address:{address_group(client_address(request))}"


class ApiRateThrottle(BaseThrottle):
    """Refuse with 429 (and `Retry-After`) once a bucket is empty."""

    def __init__(self) -> None:
        self._wait = 0.0

    def allow_request(self, request: Request, view: object) -> bool:
        if not settings.CONFAB_RATE_LIMIT_ENABLED:
            return True
        self._wait = rate_limit_hit(rate_limit_key(request), api_rate())
        return self._wait == 0

    def wait(self) -> float:
        return self._wait
