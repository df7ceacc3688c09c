"""The settings page (profile, password, theme, clock, language) and the theme stylesheet.

The page is plain forms, one per section, posting to the same URL; they call the same
services as the REST API, and preferences are stored exactly as Mattermost stores them.
"""

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.models import User
from apps.accounts.selectors import preference_list
from apps.accounts.services.preferences import preference_save
from apps.accounts.services.sessions import user_set_password
from apps.accounts.services.users import user_update_profile
from apps.core.errors import ConfabError
from apps.web.auth import SignedInRequest, signed_in
from apps.web.locales import DJANGO_LANGUAGE_BY_LOCALE
from apps.web.prefs import (
    DISPLAY_CATEGORY,
    EDITABLE_COLOURS,
    MILITARY_TIME,
    THEME_CATEGORY,
    THEME_NAME,
    clean_colour,
    parse_theme,
    request_preferences,
    theme_stylesheet,
    valid_colours,
)

# Mattermost's locale codes, each named in its own language (settings.LANGUAGES), so
# anyone can find theirs.
LANGUAGE_CHOICES = [
    (locale, dict(settings.LANGUAGES)[code]) for locale, code in DJANGO_LANGUAGE_BY_LOCALE.items()
]
WRONG_PASSWORD_ERROR = "api.user.check_user_password.invalid.app_error"  # noqa: S105 - an error id


@require_GET
def theme_css(request: HttpRequest) -> HttpResponse:
    """The signed-in user's custom colours; the URL carries their version, so it caches."""
    css = theme_stylesheet(request_preferences(request))
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=31536000"
    return response


# --- forms ----------------------------------------------------------------------------------


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=64, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=64, required=False)
    nickname = forms.CharField(
        label=_("Nickname"),
        max_length=64,
        required=False,
        help_text=_("Shown instead of your username where your name appears."),
    )


class PasswordForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirm_password = forms.CharField(
        label=_("Confirm new password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        new, confirm = data.get("new_password"), data.get("confirm_password")
        if new and confirm and new != confirm:
            self.add_error("confirm_password", _("The two new passwords do not match."))
        return data


class ColourField(forms.CharField):
    """A `#rgb`/`#rrggbb` colour; anything else is refused (it ends up in a stylesheet)."""

    widget = forms.TextInput(attrs={"type": "color"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if value in ("", None):
            return ""
        colour = clean_colour(value)
        if colour is None:
            raise forms.ValidationError(_("Choose a colour such as #1c58d9."))
        return colour


class ThemeForm(forms.Form):
    theme_type = forms.ChoiceField(
        label=_("Theme"),
        choices=[("light", _("Light")), ("dark", _("Dark"))],
        widget=forms.RadioSelect,
    )
    custom_colours = forms.BooleanField(label=_("Use custom colours"), required=False)
    sidebarBg = ColourField(label=_("Sidebar background"), max_length=7, required=False)
    sidebarText = ColourField(label=_("Sidebar text"), max_length=7, required=False)
    buttonBg = ColourField(label=_("Accent and buttons"), max_length=7, required=False)
    mentionBg = ColourField(label=_("Mention badge"), max_length=7, required=False)
    reset = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ClockForm(forms.Form):
    clock = forms.ChoiceField(
        label=_("Clock display"),
        choices=[("12", _("12-hour (9:41 PM)")), ("24", _("24-hour (21:41)"))],
        widget=forms.RadioSelect,
    )


class LanguageForm(forms.Form):
    locale = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)


# --- saving ---------------------------------------------------------------------------------


def _save_profile(request: SignedInRequest, form: ProfileForm) -> None:
    user_update_profile(actor=request.web_user, user=request.web_user, data=form.cleaned_data)


def _save_password(request: SignedInRequest, form: PasswordForm) -> None:
    """Other sessions end (as after any password change); this browser stays signed in."""
    session = request.web_session
    try:
        user_set_password(
            actor=request.web_user,
            user=request.web_user,
            current_password=form.cleaned_data["current_password"],
            new_password=form.cleaned_data["new_password"],
            keep_session_id=session.id if session is not None else "",
        )
    except ConfabError as exc:
        if exc.error_id == WRONG_PASSWORD_ERROR:
            form.add_error("current_password", _("The current password is wrong."))
        else:
            form.add_error("new_password", exc.message)
        raise


def _stored_theme(user: User) -> dict[str, Any]:
    value = (
        preference_list(actor=user, user=user, category=THEME_CATEGORY)
        .filter(name=THEME_NAME)
        .values_list("value", flat=True)
        .first()
    )
    return parse_theme(value or "")


def _save_theme(request: SignedInRequest, form: ThemeForm) -> None:
    """Keeps colours other clients set (validated) unless resetting or custom is off."""
    data = form.cleaned_data
    theme: dict[str, str] = {"type": data["theme_type"]}
    if data["custom_colours"] and not data["reset"]:
        theme.update(valid_colours(_stored_theme(request.web_user)))
        for key in EDITABLE_COLOURS:
            if data[key]:
                theme[key] = data[key]
    _save_preference(request, THEME_CATEGORY, THEME_NAME, json.dumps(theme))


def _save_clock(request: SignedInRequest, form: ClockForm) -> None:
    military = "true" if form.cleaned_data["clock"] == "24" else "false"
    _save_preference(request, DISPLAY_CATEGORY, MILITARY_TIME, military)


def _save_preference(request: SignedInRequest, category: str, name: str, value: str) -> None:
    user = request.web_user
    preference_save(
        actor=user,
        user=user,
        preferences=[{"user_id": user.id, "category": category, "name": name, "value": value}],
    )


def _save_language(request: SignedInRequest, form: LanguageForm) -> None:
    user_update_profile(
        actor=request.web_user, user=request.web_user, data={"locale": form.cleaned_data["locale"]}
    )


# Each saver takes the form of its own section (Any: the pairs differ in that type).
SECTIONS: dict[str, tuple[type[forms.Form], Callable[[SignedInRequest, Any], None]]] = {
    "profile": (ProfileForm, _save_profile),
    "security": (PasswordForm, _save_password),
    "theme": (ThemeForm, _save_theme),
    "clock": (ClockForm, _save_clock),
    "language": (LanguageForm, _save_language),
}
# The left navigation's group each form is in (the page anchors).
SECTION_GROUP = {
    "profile": "profile",
    "security": "security",
    "theme": "display",
    "clock": "display",
    "language": "language",
}


def _initial_forms(request: SignedInRequest) -> dict[str, forms.Form]:
    user = request.web_user
    prefs = request_preferences(request)
    return {
        "profile": ProfileForm(
            initial={
                "first_name": user.first_name,
                "last_name": user.last_name,
                "nickname": user.nickname,
            }
        ),
        "security": PasswordForm(),
        "theme": ThemeForm(
            initial={
                "theme_type": prefs.theme_type,
                "custom_colours": prefs.has_custom_colours,
                **prefs.picker_colours(),
            }
        ),
        "clock": ClockForm(initial={"clock": "24" if prefs.military_time else "12"}),
        "language": LanguageForm(initial={"locale": user.locale}),
    }


@signed_in
@require_http_methods(["GET", "POST"])
def settings_page(request: SignedInRequest) -> HttpResponse:
    page_forms = _initial_forms(request)
    status = 200
    if request.method == "POST":
        section = request.POST.get("section", "")
        if section not in SECTIONS:
            return redirect("web:settings")
        form_class, save = SECTIONS[section]
        form = form_class(request.POST)
        if form.is_valid():
            try:
                save(request, form)
            except ConfabError as exc:
                if not form.errors:
                    form.add_error(None, exc.message)
            else:
                query = urlencode({"saved": section})
                return redirect(f"/settings?{query}#{SECTION_GROUP[section]}")
        page_forms[section] = form
        status = 400
    saved = request.GET.get("saved", "")
    context = {
        "forms": page_forms,
        "saved": saved if saved in SECTIONS else "",
        "me": request.web_user,
        "prefs": request_preferences(request),
    }
    return render(request, "web/settings/settings.html", context, status=status)
