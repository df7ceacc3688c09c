"""Mattermost's locale codes (stored on the user) and Django's language codes (gettext)."""

from django.utils import translation

# User.locale → Django language code; both sides list the same four languages.
DJANGO_LANGUAGE_BY_LOCALE = {"en": "en", "ko": "ko", "zh-CN": "zh-hans", "fr": "fr"}
LOCALE_BY_DJANGO_LANGUAGE = {code: locale for locale, code in DJANGO_LANGUAGE_BY_LOCALE.items()}


def django_language(locale: str) -> str:
    return DJANGO_LANGUAGE_BY_LOCALE.get(locale, "en")


def locale_from_request_language(language_code: str) -> str:
    """The Mattermost locale for the language the browser asked for (LocaleMiddleware)."""
    code = translation.get_supported_language_variant(language_code or "en")
    return LOCALE_BY_DJANGO_LANGUAGE.get(code, "en")
