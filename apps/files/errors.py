"""Errors of the files app that `apps.core.errors` has no class for."""

from apps.core.errors import ConfabError


class PayloadTooLarge(ConfabError):
    """An upload is over the size limit (HTTP 413; mattermostdriver's ContentTooLarge)."""

    status_code = 413
    default_id = "api.file.upload_file.too_large_detailed.app_error"


class FeatureDisabled(ConfabError):
    """A Mattermost feature this server does not offer (HTTP 501; the clients'
    FeatureDisabled)."""

    status_code = 501
    default_id = "api.context.feature_disabled.app_error"
