"""Errors of the integrations app that `apps.core.errors` has no class for."""

from apps.core.errors import ConfabError


class PayloadTooLarge(ConfabError):
    """A webhook body over the size limit (HTTP 413; mattermostdriver's ContentTooLarge)."""

    status_code = 413
    default_id = "web.incoming_webhook.request_body_too_large.app_error"
