"""Mention and hashtag parsing, as a table of messages and what they mean."""

import pytest

from apps.posts.text import (
    HASHTAGS_MAX_LENGTH,
    mentions_keyword,
    parse_hashtags,
    parse_mentions,
    username_candidates,
)

MENTIONS = [
    # message, usernames it may name, @channel/@all, @here
    ("hello @alice", {"alice"}, False, False),
    ("@alice hello", {"alice"}, False, False),
    ("hi @Alice", {"alice"}, False, False),
    ("@ALICE!", {"alice"}, False, False),
    ("thanks @alice.", {"alice"}, False, False),
    ("@alice, @bob: look", {"alice", "bob"}, False, False),
    ("@alice? @bob; (@carol)", {"alice", "bob", "carol"}, False, False),
    ("ask @alice's team", {"alice"}, False, False),
    ("@alice\n@bob", {"alice", "bob"}, False, False),
    (
        "@first.last and @dash-name and @under_score",
        {"first.last", "dash-name", "under_score"},
        False,
        False,
    ),
    ("@alice @alice", {"alice"}, False, False),
    ("@x", {"x"}, False, False),
    ("mail alice@example.com", set(), False, False),
    ("@@alice", set(), False, False),
    ("@ alice", set(), False, False),
    ("@-alice", set(), False, False),
    ("no mentions here", set(), False, False),
    ("", set(), False, False),
    ("@channel", set(), True, False),
    ("@Channel!", set(), True, False),
    ("@all hands", set(), True, False),
    ("@here please", set(), False, True),
    ("@HERE.", set(), False, True),
    ("@channel and @here", set(), True, True),
    ("@channelx", {"channelx"}, False, False),
    ("@all-hands", {"all-hands"}, False, False),
    ("`@alice` in code", set(), False, False),
    ("```\n@alice @channel\n```\n@bob", {"bob"}, False, False),
    ("```\nunclosed @alice", set(), False, False),
]


@pytest.mark.parametrize(("message", "usernames", "channel", "here"), MENTIONS)
def test_parse_mentions(message: str, usernames: set[str], channel: bool, here: bool) -> None:
    parsed = parse_mentions(message)
    assert {candidates[-1] for candidates in map(username_candidates, parsed.words)} == usernames
    assert parsed.channel is channel
    assert parsed.here is here


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("hi @bob.", ["bob."]),
        ("hi @bob-", ["bob-"]),
        ("hi @bob_", ["bob_"]),
        ("@bob.. @bob", ["bob..", "bob"]),
        ("@first.last!", ["first.last"]),
    ],
)
def test_words_keep_trailing_punctuation_that_may_belong_to_a_username(
    message: str, words: list[str]
) -> None:
    assert parse_mentions(message).words == words


@pytest.mark.parametrize(
    ("word", "candidates"),
    [
        ("bob", ["bob"]),
        ("bob.", ["bob.", "bob"]),
        ("bob-", ["bob-", "bob"]),
        ("bob_", ["bob_", "bob"]),
        ("bob.-", ["bob.-", "bob.", "bob"]),
        ("first.last", ["first.last"]),
    ],
)
def test_username_candidates_try_the_whole_word_first(word: str, candidates: list[str]) -> None:
    assert username_candidates(word) == candidates


def test_usernames_are_every_candidate_of_every_word() -> None:
    assert parse_mentions("@bob. and @carol").usernames == {"bob.", "bob", "carol"}


KEYWORDS = [
    ("the deploy failed", "deploy", True),
    ("DEPLOY now", "deploy", True),
    ("deploy.", "deploy", True),
    ("redeploy it", "deploy", False),
    ("deployment", "deploy", False),
    ("ask Alice", "Alice", True),
    ("`deploy` in code", "deploy", False),
    ("the c++ build", "c++", True),
    ("anything", "", False),
    ("anything", "   ", False),
]


@pytest.mark.parametrize(("message", "keyword", "expected"), KEYWORDS)
def test_mention_keywords_match_whole_words(message: str, keyword: str, expected: bool) -> None:
    assert mentions_keyword(message, keyword) is expected


HASHTAGS = [
    ("#release notes", "#release"),
    ("notes for #release.", "#release"),
    ("#a is too short", ""),
    ("#ab is enough", "#ab"),
    ("#1st is not a tag", ""),
    ("#v1.2 and #foo-bar and #snake_case", "#v1.2 #foo-bar #snake_case"),
    ("#dup #dup #other #dup", "#dup #other"),
    ("#Case #case", "#Case #case"),
    ("issue#12 and a#b", ""),
    ("(#wrapped)", "#wrapped"),
    ("`#code` #real", "#real"),
    ("```\n#fenced\n```", ""),
    ("", ""),
]


@pytest.mark.parametrize(("message", "hashtags"), HASHTAGS)
def test_parse_hashtags(message: str, hashtags: str) -> None:
    assert parse_hashtags(message) == hashtags


def test_hashtags_stop_before_exceeding_the_stored_length() -> None:
    tags = [f"#tag{i:04d}" for i in range(200)]
    parsed = parse_hashtags(" ".join(tags))
    assert len(parsed) <= HASHTAGS_MAX_LENGTH
    assert parsed.split() == tags[: len(parsed.split())]
    assert len(parsed) > HASHTAGS_MAX_LENGTH - len(tags[0]) - 1
