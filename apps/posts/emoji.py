"""Emoji shortcodes (`:smile:`) for the markdown renderer, the picker and autocomplete.

The names come from the `emoji` package (its GitHub/Slack-style aliases first, then the
Unicode CLDR names), plus a few names Mattermost clients send that the package may lack.
The table is built once, at import, and holds only names a user can type in a shortcode.
"""

import re

import emoji as _emoji_package

# Only these characters can appear between the colons of a shortcode.
NAME_RE = re.compile(r"^[a-z0-9_+\-]+$")

# Mattermost names that must resolve whatever the installed `emoji` package calls them.
_MATTERMOST_NAMES: dict[str, str] = {
    "+1": "\U0001f44d",
    "-1": "\U0001f44e",
    "thumbsup": "\U0001f44d",
    "thumbsdown": "\U0001f44e",
    "smile": "\U0001f604",
    "simple_smile": "\U0001f642",
    "slightly_smiling_face": "\U0001f642",
    "laughing": "\U0001f606",
    "grinning": "\U0001f600",
    "joy": "\U0001f602",
    "sob": "\U0001f62d",
    "thinking": "\U0001f914",
    "thinking_face": "\U0001f914",
    "heart": "\u2764\ufe0f",
    "tada": "\U0001f389",
    "white_check_mark": "\u2705",
    "eyes": "\U0001f440",
    "rocket": "\U0001f680",
    "100": "\U0001f4af",
    "fire": "\U0001f525",
    "ok_hand": "\U0001f44c",
    "pray": "\U0001f64f",
    "clap": "\U0001f44f",
    "wave": "\U0001f44b",
}


def _build_table() -> dict[str, str]:
    """Name → character. Fully-qualified sequences win over unqualified ones, and the
    short aliases win over the long CLDR names when two emoji claim the same name."""
    table = dict(_MATTERMOST_NAMES)
    by_status = sorted(_emoji_package.EMOJI_DATA.items(), key=lambda item: item[1]["status"])
    for field in ("alias", "en"):
        for char, data in by_status:
            raw = data.get(field) or []
            for name in [raw] if isinstance(raw, str) else raw:
                name = name.strip(":").lower()
                if NAME_RE.match(name):
                    table.setdefault(name, char)
    return table


EMOJI_BY_NAME: dict[str, str] = _build_table()
_SORTED_NAMES: tuple[str, ...] = tuple(sorted(EMOJI_BY_NAME, key=lambda n: (len(n), n)))


def emoji_char(name: str) -> str | None:
    """The character for a shortcode name (with or without colons), or None."""
    return EMOJI_BY_NAME.get(name.strip(":").lower())


def is_known_emoji(name: str) -> bool:
    return emoji_char(name) is not None


def emoji_search(prefix: str, limit: int = 20) -> list[tuple[str, str]]:
    """`(name, char)` pairs for `:emoji:` autocomplete.

    Names that start with the typed text come first, then names that merely contain it;
    within each group shorter names come first, since the short name is usually the one
    people mean ("smile" before "smile_cat").
    """
    query = prefix.strip(":").lower()
    if not query or limit <= 0:
        return []
    starts: list[str] = []
    contains: list[str] = []
    for name in _SORTED_NAMES:
        if name.startswith(query):
            starts.append(name)
            if len(starts) >= limit:
                break
        elif len(contains) < limit and query in name:
            contains.append(name)
    return [(name, EMOJI_BY_NAME[name]) for name in (starts + contains)[:limit]]


def _names(words: str) -> list[str]:
    return words.split()


# A compact, curated set for the picker; the full table is reachable through search.
PICKER_CATEGORIES: list[tuple[str, list[str]]] = [
    (
        "smileys",
        _names(
            "grinning smiley smile grin laughing sweat_smile joy rofl slightly_smiling_face "
            "upside_down_face wink blush innocent heart_eyes star_struck kissing_heart yum "
            "stuck_out_tongue_winking_eye zany_face thinking shushing_face neutral_face "
            "expressionless no_mouth smirk unamused roll_eyes grimacing relieved pensive "
            "sleepy sleeping mask nauseated_face hot_face cold_face exploding_head "
            "sunglasses nerd_face confused worried open_mouth astonished flushed cry sob "
            "scream rage"
        ),
    ),
    (
        "people",
        _names(
            "wave raised_hand ok_hand v crossed_fingers metal call_me_hand point_left "
            "point_right point_up point_down +1 -1 fist clap raised_hands open_hands "
            "handshake pray writing_hand muscle eyes brain baby boy girl man woman "
            "older_man older_woman technologist detective ninja superhero dancer runner bow "
            "shrug"
        ),
    ),
    (
        "nature",
        _names(
            "dog cat mouse hamster rabbit fox_face bear panda_face koala tiger lion cow pig "
            "frog monkey_face chicken penguin bird owl bee bug butterfly snail turtle snake "
            "octopus whale dolphin fish cactus evergreen_tree seedling herb "
            "four_leaf_clover fallen_leaf rose sunflower sunny cloud rainbow snowflake zap "
            "ocean earth_americas"
        ),
    ),
    (
        "food",
        _names(
            "apple pear tangerine lemon banana watermelon grapes strawberry cherries peach "
            "pineapple avocado tomato eggplant carrot corn hot_pepper bread cheese egg "
            "bacon hamburger fries pizza hotdog taco burrito spaghetti ramen sushi bento "
            "cake birthday cookie doughnut chocolate_bar ice_cream coffee tea beer beers "
            "wine_glass"
        ),
    ),
    (
        "activities",
        _names(
            "soccer basketball football baseball tennis volleyball 8ball ping_pong "
            "badminton golf bow_and_arrow fishing_pole_and_fish ski snowboarder surfer "
            "swimmer bicyclist trophy medal_sports 1st_place_medal dart bowling video_game "
            "joystick game_die jigsaw chess_pawn art performing_arts microphone headphones "
            "musical_note guitar tada confetti_ball balloon gift rocket"
        ),
    ),
    (
        "symbols",
        _names(
            "heart orange_heart yellow_heart green_heart blue_heart purple_heart "
            "black_heart broken_heart sparkling_heart 100 fire sparkles star boom "
            "white_check_mark heavy_check_mark x warning no_entry question exclamation "
            "bangbang heavy_plus_sign heavy_minus_sign arrow_up arrow_down arrow_right "
            "arrow_left repeat recycle bulb bell lock key hourglass alarm_clock link "
            "pushpin memo speech_balloon"
        ),
    ),
]
