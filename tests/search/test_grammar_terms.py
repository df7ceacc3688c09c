"""Search grammar: terms, phrases and quotes, prefixes, hashtags, modifiers, the query shape."""

import dataclasses
import unicodedata

import pytest
from pytest import param as case

from apps.search.grammar import SearchQuery, parse_search
from apps.search.grammar import SearchQuery as Q

TEXT = [
    # Whitespace, case and punctuation.
    case("Deploy PROD", Q(terms=("deploy", "prod")), id="lowercased"),
    case(
        "  deploy\t\nprod\u3000today  ",
        Q(terms=("deploy", "prod", "today")),
        id="any-whitespace-incl-ideographic-space",
    ),
    case("deploy\x00prod", Q(terms=("deploy", "prod")), id="control-char-separates"),
    case("deploy Deploy DEPLOY", Q(terms=("deploy",)), id="duplicates-once"),
    case("hello, (world)! ...done?", Q(terms=("hello", "world", "done")), id="punctuation-trimmed"),
    case(
        "e-mail o'clock v1.2", Q(terms=("e-mail", "o'clock", "v1.2")), id="inner-punctuation-kept"
    ),
    case(
        "see http://example.com/a?b=1",
        Q(terms=("see", "http://example.com/a?b=1")),
        id="url-stays-a-term",
    ),
    case("12:30", Q(terms=("12:30",)), id="time-stays-a-term"),
    case("Foo:Bar", Q(terms=("foo:bar",)), id="unknown-modifier-is-a-term"),
    case("@Alice", Q(terms=("alice",)), id="at-sign-trimmed-from-term"),
    # Exclusion.
    case("deploy - prod", Q(terms=("deploy", "prod")), id="lone-dash-ignored"),
    case("deploy -staging", Q(terms=("deploy",), excluded_terms=("staging",)), id="excluded-term"),
    case("--staging", Q(excluded_terms=("staging",)), id="double-dash-excludes-once"),
    case("re-deploy", Q(terms=("re-deploy",)), id="dash-inside-word-is-not-exclusion"),
    # Phrases.
    case('"Deploy to Prod"', Q(phrases=("deploy to prod",)), id="phrase"),
    case(
        '"  deploy   to\tprod "', Q(phrases=("deploy to prod",)), id="phrase-whitespace-collapsed"
    ),
    case(
        'deploy -"to staging"',
        Q(terms=("deploy",), excluded_phrases=("to staging",)),
        id="excluded-phrase",
    ),
    case('foo-"bar"', Q(terms=("foo",), phrases=("bar",)), id="dash-mid-token-not-exclusion"),
    case(
        'deploy"to prod"',
        Q(terms=("deploy",), phrases=("to prod",)),
        id="quote-glued-to-word-starts-phrase",
    ),
    case("\u201cdeploy to prod\u201d", Q(phrases=("deploy to prod",)), id="curly-quotes"),
    case("\u201edeploy now\u201c", Q(phrases=("deploy now",)), id="low-nine-quotes"),
    case(
        "-\u201cto staging\u201d", Q(excluded_phrases=("to staging",)), id="excluded-curly-phrase"
    ),
    case('"" deploy', Q(terms=("deploy",)), id="empty-phrase-ignored"),
    case('"deploy*"', Q(phrases=("deploy*",)), id="star-in-phrase-is-literal"),
    case('"from:alice"', Q(phrases=("from:alice",)), id="modifier-in-phrase-is-text"),
    # Prefixes.
    case("Depl*", Q(prefixes=("depl",)), id="prefix"),
    case("depl**", Q(prefixes=("depl",)), id="stars-collapse"),
    case("a*", Q(prefixes=("a",)), id="one-character-prefix"),
    case("日*", Q(prefixes=("日",)), id="one-cjk-character-prefix"),
    case("-stag*", Q(excluded_prefixes=("stag",)), id="excluded-prefix"),
    case("(depl*)", Q(prefixes=("depl",)), id="prefix-in-parentheses"),
    case("foo*bar", Q(terms=("foo*bar",)), id="star-inside-word-is-literal"),
    case("*", Q(), id="lone-star-ignored"),
    case(".* -*", Q(), id="star-after-punctuation-only-ignored"),
    # Hashtags.
    case("#Release", Q(hashtags=("release",)), id="hashtag-lowercased"),
    case("##release", Q(hashtags=("release",)), id="hashtag-run-of-hashes"),
    case("#release.", Q(hashtags=("release",)), id="hashtag-trailing-dot-trimmed"),
    case("#v1.2-final", Q(hashtags=("v1.2-final",)), id="hashtag-inner-dot-dash"),
    case("(#release)", Q(hashtags=("release",)), id="hashtag-in-parentheses"),
    case("-#wip", Q(excluded_hashtags=("wip",)), id="excluded-hashtag"),
    case("#1", Q(terms=("1",)), id="hash-digit-is-a-term"),
    case("#a", Q(terms=("a",)), id="hash-one-letter-is-a-term"),
    case("#태그", Q(terms=("태그",)), id="non-ascii-hashtag-is-a-term"),
    case("#rel*", Q(prefixes=("rel",)), id="hashtag-with-star-is-a-prefix"),
    case("# ##", Q(), id="bare-hashes-ignored"),
    # CJK, emoji and other scripts.
    case(
        "안녕하세요 你好。 日本語のテキスト",
        Q(terms=("안녕하세요", "你好", "日本語のテキスト")),
        id="cjk-kept-whole",
    ),
    case(
        "「こんにちは」、世界\uff01",
        Q(terms=("こんにちは」、世界",)),
        id="cjk-punctuation-trimmed-at-edges-only",
    ),
    case(
        unicodedata.normalize("NFD", "한국어"),
        Q(terms=("한국어",)),
        id="decomposed-hangul-composed",
    ),
    case("🎉 👍🏽 deploy🚀", Q(terms=("🎉", "👍🏽", "deploy🚀")), id="emoji-kept"),
    case("Café ÉTÉ", Q(terms=("café", "été")), id="accents-lowercased"),
    case("हिंदी", Q(terms=("हिंदी",)), id="combining-vowel-sign-kept"),
    case("\u200bdeploy\u200b", Q(terms=("deploy",)), id="zero-width-space-trimmed"),
    case("", Q(), id="empty"),
]


@pytest.mark.parametrize(
    ("terms", "expected"),
    TEXT,
)
def test_text(terms: str, expected: SearchQuery) -> None:
    assert parse_search(terms) == expected


MODIFIERS = [
    case("from:alice", Q(from_users=("alice",)), id="from"),
    case("FROM:@Alice", Q(from_users=("alice",)), id="from-case-insensitive-at-stripped"),
    case(
        "from: alice deploy", Q(from_users=("alice",), terms=("deploy",)), id="from-takes-next-word"
    ),
    case("from:alice from:bob", Q(from_users=("alice", "bob")), id="from-twice-is-or"),
    case("-from:bot", Q(excluded_from_users=("bot",)), id="excluded-from"),
    case("-from: bot", Q(excluded_from_users=("bot",)), id="excluded-from-next-word"),
    case("in:town-square", Q(in_channels=("town-square",)), id="in"),
    case("In:~Town-Square", Q(in_channels=("town-square",)), id="in-tilde-and-case"),
    case("channel:random", Q(in_channels=("random",)), id="channel-alias"),
    case("in:a in:~b", Q(in_channels=("a", "b")), id="in-twice-is-or"),
    case("-in:random", Q(excluded_in_channels=("random",)), id="excluded-in"),
    case("in:@Bob", Q(in_direct_with=("bob",)), id="in-direct-message"),
    case("-in:@bob", Q(excluded_in_direct_with=("bob",)), id="excluded-direct-message"),
    case("in:@bob,", Q(in_direct_with=("bob",)), id="in-direct-trailing-comma"),
    case(
        "in:@Carol,@alice,carol",
        Q(in_group_with=(("alice", "carol"),)),
        id="in-group-message-sorted-unique",
    ),
    case("-channel:@a,b", Q(excluded_in_group_with=(("a", "b"),)), id="excluded-group-message"),
    case("ext:.PDF ext:png", Q(extensions=("pdf", "png")), id="ext"),
    case("-ext:exe", Q(excluded_extensions=("exe",)), id="excluded-ext"),
    case(
        "from:alice -from:bot in:town-square -in:random deploy -staging #release",
        Q(
            from_users=("alice",),
            excluded_from_users=("bot",),
            in_channels=("town-square",),
            excluded_in_channels=("random",),
            terms=("deploy",),
            excluded_terms=("staging",),
            hashtags=("release",),
        ),
        id="combined",
    ),
]


@pytest.mark.parametrize(
    ("terms", "expected"),
    MODIFIERS,
)
def test_modifiers(terms: str, expected: SearchQuery) -> None:
    assert parse_search(terms) == expected


def test_or_search_flag_is_carried_and_changes_nothing_else() -> None:
    or_query = parse_search("Deploy prod from:alice", is_or_search=True)
    assert or_query.is_or_search is True
    assert dataclasses.replace(or_query, is_or_search=False) == parse_search(
        "Deploy prod from:alice"
    )
    assert or_query.terms == ("deploy", "prod")


SHAPES = [
    # terms, is_empty, has_text, has_filters
    case("", True, False, False, id="empty"),
    case("   \t", True, False, False, id="whitespace"),
    case('- * # "" \'', True, False, False, id="punctuation-only"),
    case("deploy", False, True, False, id="term"),
    case('"to prod"', False, True, False, id="phrase"),
    case("dep*", False, True, False, id="prefix"),
    case("#release", False, True, False, id="hashtag"),
    case("-staging", False, False, False, id="exclusion-only"),
    case("from:alice", False, False, True, id="from"),
    case("in:@bob", False, False, True, id="in-direct"),
    case("in:@a,b", False, False, True, id="in-group"),
    case("ext:pdf", False, False, True, id="ext"),
    case("after:2024-03-05", False, False, True, id="date-bound"),
    case("-on:2024-03-05", False, False, True, id="date-hole"),
    case("deploy in:town-square", False, True, True, id="text-and-filter"),
]


@pytest.mark.parametrize(("terms", "is_empty", "has_text", "has_filters"), SHAPES)
def test_empty_text_and_filters(
    terms: str, is_empty: bool, has_text: bool, has_filters: bool
) -> None:
    query = parse_search(terms)
    assert (query.is_empty, query.has_text, query.has_filters) == (
        is_empty,
        has_text,
        has_filters,
    )


def test_query_is_immutable() -> None:
    query = parse_search("deploy")
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.terms = ("other",)  # type: ignore[misc]  # proving the dataclass is frozen
