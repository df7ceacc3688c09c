"""The display preferences the web client reads: theme and clock.

They are stored as Mattermost stores them (Preference rows: category "theme" holds a JSON
theme, "display_settings"/"use_military_time" the clock), so every client agrees.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import overload

from django.http import HttpRequest

from apps.accounts.models import Preference, User
from apps.core.jsonbody import JSONRefused, parse_json
from apps.web.auth import SignedInRequest

THEME_CATEGORY = "theme"
THEME_NAME = ""  # Mattermost's name for the theme of every team
DISPLAY_CATEGORY = "display_settings"
MILITARY_TIME = "use_military_time"
THEME_TYPES = ("light", "dark")
# A preference value is at most 2,000 characters, each at most 4 bytes in UTF-8.
THEME_MAX_BYTES = 4 * 2000

# Mattermost theme keys → the CSS variables of app.css. Earlier keys win when two name the
# same variable (the active item's text colour before its border colour).
THEME_VARIABLES: tuple[tuple[str, str], ...] = (
    ("sidebarBg", "--sidebar-bg"),
    ("sidebarText", "--sidebar-fg"),
    ("sidebarTextActiveColor", "--sidebar-active-fg"),
    ("sidebarTextActiveBorder", "--sidebar-active-fg"),
    ("sidebarUnreadText", "--sidebar-unread-fg"),
    ("buttonBg", "--accent"),
    ("buttonColor", "--accent-fg"),
    ("mentionBg", "--mention-bg"),
    ("mentionColor", "--mention-fg"),
    ("linkColor", "--link"),
    ("centerChannelBg", "--bg"),
    ("centerChannelColor", "--fg"),
)
THEME_KEYS = frozenset(key for key, _ in THEME_VARIABLES)

# The colours the settings page lets people pick (the rest come from other clients).
EDITABLE_COLOURS = ("sidebarBg", "sidebarText", "buttonBg", "mentionBg")
# What the colour pickers start from when nothing custom is saved (app.css's values).
DEFAULT_COLOURS = {
    "light": {
        "sidebarBg": "#1f2a44",
        "sidebarText": "#d8dce6",
        "buttonBg": "#1c58d9",
        "mentionBg": "#e01e5a",
    },
    "dark": {
        "sidebarBg": "#121417",
        "sidebarText": "#cfd3da",
        "buttonBg": "#4f8bff",
        "mentionBg": "#e01e5a",
    },
}

# Only plain hex colours ever reach a stylesheet: theme values are user input, and the
# theme stylesheet must never carry anything but a colour.
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def clean_colour(value: object) -> str | None:
    """The colour in lowercase `#rgb`/`#rrggbb` form, or None for anything else."""
    if isinstance(value, str) and _HEX_COLOUR.fullmatch(value):
        return value.lower()
    return None


@dataclass
class UiPreferences:
    theme_type: str = "light"  # "light" | "dark"
    colours: dict[str, str] = field(default_factory=dict)  # validated custom theme colours
    military_time: bool = False

    @property
    def colour_version(self) -> str:
        """Changes whenever the custom colours do, so the theme stylesheet is re-fetched."""
        encoded = json.dumps(self.colours, sort_keys=True).encode()
        return hashlib.blake2s(encoded, digest_size=4).hexdigest()

    @property
    def has_custom_colours(self) -> bool:
        return any(key in self.colours for key in EDITABLE_COLOURS)

    def picker_colours(self) -> dict[str, str]:
        """The colour each picker shows: the saved one, else the theme's default."""
        defaults = DEFAULT_COLOURS[self.theme_type]
        return {key: _six_digits(self.colours.get(key, defaults[key])) for key in EDITABLE_COLOURS}


def _six_digits(colour: str) -> str:
    """`#abc` → `#aabbcc`: colour inputs only take the long form."""
    if len(colour) == 4:
        return "#" + "".join(c * 2 for c in colour[1:])
    return colour


def parse_theme(value: str) -> dict:
    """The stored theme as a dict ({} when it is not a JSON object, or is one nested too
    deeply to decode: a preference is any text a client sent)."""
    try:
        theme = parse_json(value, max_bytes=THEME_MAX_BYTES)
    except JSONRefused:
        return {}
    return theme if isinstance(theme, dict) else {}


def valid_colours(theme: dict) -> dict[str, str]:
    """The theme's colours we know, each a valid hex colour; the rest are dropped."""
    colours = {}
    for key in THEME_KEYS:
        colour = clean_colour(theme.get(key))
        if colour:
            colours[key] = colour
    return colours


def ui_preferences(user: User) -> UiPreferences:
    prefs = UiPreferences()
    rows = Preference.objects.filter(
        user=user, category__in=(THEME_CATEGORY, DISPLAY_CATEGORY)
    ).values_list("category", "name", "value")
    for category, name, value in rows:
        if category == THEME_CATEGORY and name == THEME_NAME:
            theme = parse_theme(value)
            if theme:
                prefs.theme_type = "dark" if theme.get("type") == "dark" else "light"
                prefs.colours = valid_colours(theme)
        elif category == DISPLAY_CATEGORY and name == MILITARY_TIME:
            prefs.military_time = value == "true"
    return prefs


# Where request_preferences keeps its answer on the request.
_CACHE_ATTRIBUTE = "_web_ui_preferences"


@overload
def request_preferences(request: SignedInRequest) -> UiPreferences: ...
@overload
def request_preferences(request: HttpRequest) -> UiPreferences | None: ...
def request_preferences(request: HttpRequest) -> UiPreferences | None:
    """The signed-in user's preferences, read once per request (templates ask per post);
    None before sign-in."""
    user = getattr(request, "web_user", None)
    if user is None:
        return None
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is None or cached[0] != user.id:
        cached = (user.id, ui_preferences(user))
        setattr(request, _CACHE_ATTRIBUTE, cached)
    return cached[1]


def theme_stylesheet(prefs: UiPreferences | None) -> str:
    """CSS setting the custom colours as app.css's variables, for both themes.

    `html[data-theme]` matches app.css's theme selectors' specificity, so these rules (loaded
    after it) win in light and dark alike.
    """
    if prefs is None:
        return ""
    declarations: dict[str, str] = {}
    for key, variable in THEME_VARIABLES:
        colour = clean_colour(prefs.colours.get(key))
        if colour and variable not in declarations:
            declarations[variable] = colour
    if not declarations:
        return ""
    body = "".join(f"  {name}: {value};\n" for name, value in declarations.items())
    return f':root,\nhtml[data-theme="light"],\nhtml[data-theme="dark"] {{\n{body}}}\n'
