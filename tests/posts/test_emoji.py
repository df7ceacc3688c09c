"""Emoji shortcodes: the names Mattermost clients send, the picker, and autocomplete."""

import pytest

from apps.posts.emoji import (
    EMOJI_BY_NAME,
    NAME_RE,
    PICKER_CATEGORIES,
    emoji_char,
    emoji_search,
    is_known_emoji,
)

MATTERMOST_NAMES = [
    "+1", "-1", "thumbsup", "thumbsdown", "smile", "laughing", "heart", "tada",
    "white_check_mark", "eyes", "rocket", "joy", "100", "fire", "ok_hand", "pray", "clap",
    "wave", "thinking", "sob", "grinning", "slightly_smiling_face",
]  # fmt: skip


@pytest.mark.parametrize("name", MATTERMOST_NAMES)
def test_mattermost_name_resolves(name):
    assert is_known_emoji(name)
    assert EMOJI_BY_NAME[name] == emoji_char(name)


def test_known_characters():
    assert emoji_char("smile") == "\U0001f604"
    assert emoji_char("+1") == emoji_char("thumbsup") == "\U0001f44d"
    assert emoji_char("heart") == "\u2764\ufe0f"


def test_lookup_ignores_colons_and_case():
    assert emoji_char(":Smile:") == emoji_char("smile")


def test_unknown_name_is_none():
    assert emoji_char("no_such_emoji_here") is None
    assert not is_known_emoji("no_such_emoji_here")
    assert not is_known_emoji("")


def test_every_name_can_be_typed_in_a_shortcode():
    assert all(NAME_RE.match(name) for name in EMOJI_BY_NAME)


def test_picker_names_all_resolve():
    assert 5 <= len(PICKER_CATEGORIES) <= 8
    for category, names in PICKER_CATEGORIES:
        assert 24 <= len(names) <= 48, category
        assert len(set(names)) == len(names), category
        missing = [name for name in names if name not in EMOJI_BY_NAME]
        assert missing == [], category


def test_search_puts_prefix_matches_first_shortest_first():
    results = emoji_search("smi", limit=50)
    names = [name for name, _char in results]
    assert names[0] == "smile"
    prefixed = [name for name in names if name.startswith("smi")]
    assert names[: len(prefixed)] == prefixed
    assert [len(n) for n in prefixed] == sorted(len(n) for n in prefixed)
    contained = names[len(prefixed) :]
    assert contained and all("smi" in name for name in contained)
    assert all(EMOJI_BY_NAME[name] == char for name, char in results)


def test_search_respects_limit_and_colons():
    assert len(emoji_search("a", limit=5)) == 5
    assert emoji_search(":thumbsu")[0] == ("thumbsup", "\U0001f44d")


def test_search_with_nothing_typed_is_empty():
    assert emoji_search("") == []
    assert emoji_search(":") == []
