"""Errors of the integrations app that `apps.core.errors` has no class for."""

from apps.core.errors import ConfabError


class PayloadTooLarge(ConfabError):
    """A webhook body over the size limit (HTTP 413; mattermostdriver's ContentTooLarge)."""

    status_code = 413
    default_id = "web.incoming_webhook.request_body_too_large.app_error"


class OutboundRefused(ConfabError):
    """A server-side fetch refused before connecting: bad scheme, or a forbidden address.

    Raised for loopback, private, link-local, reserved and similar destinations (SSRF, SECURITY.md
    row 13), including as the target of a redirect, unless `CONFAB_OUTBOUND_ALLOWED_HOSTS` says so.
    """

    status_code = 400
    default_id = "app.outbound.refused.app_error"


class OutboundFailed(ConfabError):
    """A server-side fetch that was allowed but did not complete: DNS, connect, timeout, TLS,
    too many redirects or a response body over the cap (SECURITY.md row 14)."""

    status_code = 502
    default_id = "app.outbound.failed.app_error"
