"""Times shown as the reader chose: a 12-hour or a 24-hour clock (their Mattermost preference)."""

from datetime import datetime

from django import template
from django.utils import formats
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # stubs lack it
from django.utils.translation import pgettext

from apps.web.prefs import request_preferences

register = template.Library()

CLOCK_24 = "H:i"


@register.simple_tag(takes_context=True)
def clock(context: template.Context, value: datetime | None) -> str:
    """`{% clock post.created %}`: the time of day in the signed-in user's clock format.

    The preferences are read once per request, however many posts the page shows.
    """
    if not value:
        return ""
    request = context.get("request")
    prefs = request_preferences(request) if request is not None else None
    # Where AM/PM goes depends on the language (Korean and Chinese put it first).
    fmt = (
        CLOCK_24
        if prefs is not None and prefs.military_time
        else pgettext("12-hour clock format", "g:i A")
    )
    return formats.time_format(template_localtime(value), fmt)
