"""Search grammar: dates and time zones, error messages, length and word limits."""

import datetime
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from pytest import param as case

from apps.core.errors import InvalidInput
from apps.search.grammar import (
    MAX_QUERY_LENGTH,
    MAX_TOKENS,
    SearchQuery,
    parse_search,
    time_zone_from_offset,
)
from apps.search.grammar import SearchQuery as Q

QUOTE = "app.search.unclosed_quote.app_error"
NO_VALUE = "app.search.empty_modifier.app_error"
BAD_DATE = "app.search.invalid_date.app_error"
NO_DAY = "app.search.empty_date_range.app_error"
TOO_LONG = "app.search.too_long.app_error"
TOO_MANY = "app.search.too_many_terms.app_error"

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")


def utc_ms(year: int, month: int, day: int, hour: int = 0) -> int:
    """Milliseconds since the epoch of an instant written in UTC."""
    return int(datetime.datetime(year, month, day, hour, tzinfo=UTC).timestamp()) * 1000


DATES = [
    # terms, time zone, created_from_ms, created_before_ms, excluded ranges
    case("on:2024-03-05", UTC, utc_ms(2024, 3, 5), utc_ms(2024, 3, 6), (), id="on-utc"),
    case(
        "on:2024-3-5", UTC, utc_ms(2024, 3, 5), utc_ms(2024, 3, 6), (), id="on-one-digit-month-day"
    ),
    case("after:2024-03-05", UTC, utc_ms(2024, 3, 6), None, (), id="after-is-from-next-day"),
    case("before:2024-03-05", UTC, None, utc_ms(2024, 3, 5), (), id="before-is-until-day-start"),
    case("after:2024-01-31", UTC, utc_ms(2024, 2, 1), None, (), id="after-month-end"),
    case("on:2024-02-29", UTC, utc_ms(2024, 2, 29), utc_ms(2024, 3, 1), (), id="on-leap-day"),
    case(
        "-after:2024-03-05", UTC, None, utc_ms(2024, 3, 6), (), id="excluded-after-is-through-day"
    ),
    case("-before:2024-03-05", UTC, utc_ms(2024, 3, 5), None, (), id="excluded-before-is-from-day"),
    case(
        "-on:2024-03-05",
        UTC,
        None,
        None,
        ((utc_ms(2024, 3, 5), utc_ms(2024, 3, 6)),),
        id="excluded-on-is-a-hole",
    ),
    case(
        "after:2024-03-01 before:2024-03-10",
        UTC,
        utc_ms(2024, 3, 2),
        utc_ms(2024, 3, 10),
        (),
        id="after-and-before",
    ),
    case(
        "after:2024-03-01 after:2024-03-03 before:2024-04-01 before:2024-03-20",
        UTC,
        utc_ms(2024, 3, 4),
        utc_ms(2024, 3, 20),
        (),
        id="repeated-bounds-intersect",
    ),
    case(
        "on:2024-03-05 after:2024-03-01",
        UTC,
        utc_ms(2024, 3, 5),
        utc_ms(2024, 3, 6),
        (),
        id="on-within-after",
    ),
    case("on:2024-03-05", SEOUL, utc_ms(2024, 3, 4, 15), utc_ms(2024, 3, 5, 15), (), id="on-seoul"),
    case("after:2024-03-05", SEOUL, utc_ms(2024, 3, 5, 15), None, (), id="after-seoul"),
    case("before:2024-03-05", SEOUL, None, utc_ms(2024, 3, 4, 15), (), id="before-seoul"),
    # Spring forward: 2024-03-10 in New York lasts 23 hours; fall back: 2024-11-03 lasts 25.
    case(
        "on:2024-03-10",
        NEW_YORK,
        utc_ms(2024, 3, 10, 5),
        utc_ms(2024, 3, 11, 4),
        (),
        id="on-new-york-23-hour-day",
    ),
    case(
        "on:2024-11-03",
        NEW_YORK,
        utc_ms(2024, 11, 3, 4),
        utc_ms(2024, 11, 4, 5),
        (),
        id="on-new-york-25-hour-day",
    ),
    case("after:2024-03-10", NEW_YORK, utc_ms(2024, 3, 11, 4), None, (), id="after-new-york-dst"),
    case(
        "on:2024-03-10",
        time_zone_from_offset(-5 * 3600),
        utc_ms(2024, 3, 10, 5),
        utc_ms(2024, 3, 11, 5),
        (),
        id="on-fixed-offset-has-no-dst",
    ),
]


@pytest.mark.parametrize(
    ("terms", "time_zone", "created_from_ms", "created_before_ms", "excluded_ranges"),
    DATES,
)
def test_dates(
    terms: str,
    time_zone: datetime.tzinfo,
    created_from_ms: int | None,
    created_before_ms: int | None,
    excluded_ranges: tuple[tuple[int, int], ...],
) -> None:
    assert parse_search(terms, time_zone=time_zone) == Q(
        created_from_ms=created_from_ms,
        created_before_ms=created_before_ms,
        excluded_created_ranges_ms=excluded_ranges,
    )


ERRORS = [
    # terms, error id, message
    case(
        'deploy "to prod',
        QUOTE,
        'The quote after "deploy" is never closed.',
        id="unclosed-quote-after-word",
    ),
    case(
        'deploy -"to prod',
        QUOTE,
        'The quote after "deploy" is never closed.',
        id="unclosed-excluded-quote",
    ),
    case(
        'deploy"to prod',
        QUOTE,
        'The quote after "deploy" is never closed.',
        id="unclosed-quote-glued-to-word",
    ),
    case(
        '"a b" "c',
        QUOTE,
        'The quote after "a b" is never closed.',
        id="unclosed-quote-after-phrase",
    ),
    case(
        '"to prod',
        QUOTE,
        "The quote at the start of the search is never closed.",
        id="unclosed-quote-at-start",
    ),
    case(
        "deploy \u201cto prod",
        QUOTE,
        'The quote after "deploy" is never closed.',
        id="unclosed-curly-quote",
    ),
    case("from:", NO_VALUE, '"from:" needs a value, e.g. from:alice.', id="from-without-value"),
    case(
        "deploy -in:",
        NO_VALUE,
        '"-in:" needs a value, e.g. in:town-square.',
        id="excluded-in-without-value",
    ),
    case(
        "from: in:random",
        NO_VALUE,
        '"from:" needs a value, e.g. from:alice.',
        id="from-followed-by-modifier",
    ),
    case(
        'from: "alice"',
        NO_VALUE,
        '"from:" needs a value, e.g. from:alice.',
        id="from-followed-by-phrase",
    ),
    case("from:@", NO_VALUE, '"from:" needs a value, e.g. from:alice.', id="from-only-at-sign"),
    case("in:~", NO_VALUE, '"in:" needs a value, e.g. in:town-square.', id="in-only-tilde"),
    case(
        "channel:@,",
        NO_VALUE,
        '"channel:" needs a value, e.g. channel:town-square.',
        id="channel-only-at-sign",
    ),
    case("ext:.", NO_VALUE, '"ext:" needs a value, e.g. ext:pdf.', id="ext-only-dot"),
    case("deploy ON:", NO_VALUE, '"on:" needs a value, e.g. on:2024-03-05.', id="on-without-value"),
    case("on:2024-13-01", BAD_DATE, '"2024-13-01" is not a date; use YYYY-MM-DD.', id="month-13"),
    case(
        "before:yesterday",
        BAD_DATE,
        '"yesterday" is not a date; use YYYY-MM-DD.',
        id="word-for-date",
    ),
    case(
        "after:2023-02-29",
        BAD_DATE,
        '"2023-02-29" is not a date; use YYYY-MM-DD.',
        id="no-leap-day",
    ),
    case("on:24-03-05", BAD_DATE, '"24-03-05" is not a date; use YYYY-MM-DD.', id="two-digit-year"),
    case(
        "on:2024-03-05-01",
        BAD_DATE,
        '"2024-03-05-01" is not a date; use YYYY-MM-DD.',
        id="extra-part",
    ),
    case(
        "on:\u0662\u0660\u0662\u0664-03-05",
        BAD_DATE,
        '"\u0662\u0660\u0662\u0664-03-05" is not a date; use YYYY-MM-DD.',
        id="non-ascii-digits",
    ),
    case(
        "on:2024-03-05,",
        BAD_DATE,
        '"2024-03-05," is not a date; use YYYY-MM-DD.',
        id="trailing-comma",
    ),
    case(
        "after:9999-12-31",
        BAD_DATE,
        '"9999-12-31" is outside the dates a search can use.',
        id="after-last-representable-day",
    ),
    case(
        "after:2024-03-05 before:2024-03-06",
        NO_DAY,
        'The dates "after:2024-03-05" and "before:2024-03-06" do not overlap, '
        "so nothing can match.",
        id="after-and-before-leave-no-day",
    ),
    case(
        "on:2024-03-05 on:2024-03-06",
        NO_DAY,
        'The dates "on:2024-03-06" and "on:2024-03-05" do not overlap, so nothing can match.',
        id="two-different-days",
    ),
    case(
        "-before:2024-03-06 -after:2024-03-05",
        NO_DAY,
        'The dates "-before:2024-03-06" and "-after:2024-03-05" do not overlap, '
        "so nothing can match.",
        id="excluded-bounds-leave-no-day",
    ),
    case(
        "a" * (MAX_QUERY_LENGTH + 1),
        TOO_LONG,
        "The search is 1,001 characters long; the limit is 1,000.",
        id="too-long",
    ),
    case(
        " ".join(["word"] * (MAX_TOKENS + 1)),
        TOO_MANY,
        "The search has more than 50 words, phrases and modifiers; remove some.",
        id="too-many-words",
    ),
    case(
        " ".join(['"a b"'] * (MAX_TOKENS + 1)),
        TOO_MANY,
        "The search has more than 50 words, phrases and modifiers; remove some.",
        id="too-many-phrases",
    ),
]


@pytest.mark.parametrize(
    ("terms", "error_id", "message"),
    ERRORS,
)
def test_errors(terms: str, error_id: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_search(terms)
    assert caught.value.error_id == error_id
    assert caught.value.message == message
    assert caught.value.status_code == 400


def test_limits_are_inclusive() -> None:
    """Exactly the maximum length and number of words is still a search."""
    longest = parse_search("a" * MAX_QUERY_LENGTH)
    assert longest.terms == ("a" * MAX_QUERY_LENGTH,)
    most = parse_search(" ".join(f"w{n}" for n in range(MAX_TOKENS)))
    assert len(most.terms) == MAX_TOKENS
    assert most.terms[-1] == f"w{MAX_TOKENS - 1}"


def test_lone_dashes_and_empty_phrases_do_not_count_towards_the_word_limit() -> None:
    query = parse_search(" ".join(["-"] * 100 + ['""'] * 100 + ["deploy"]))
    assert query == Q(terms=("deploy",))


PATHOLOGICAL = [
    case('"' * MAX_QUERY_LENGTH, Q(), id="only-quotes"),
    case("-" * MAX_QUERY_LENGTH, Q(), id="only-dashes"),
    case("#" * MAX_QUERY_LENGTH, Q(), id="only-hashes"),
    case("*" * MAX_QUERY_LENGTH, Q(), id="only-stars"),
    case(":" * MAX_QUERY_LENGTH, Q(), id="only-colons"),
    case("a:" * 500, Q(terms=("a:" * 499 + "a",)), id="colon-chain"),
    case("ab" * 500, Q(terms=("ab" * 500,)), id="one-long-word"),
    case("in:" * 333, Q(in_channels=("in:" * 332,)), id="modifier-chain"),
]


@pytest.mark.parametrize(
    ("terms", "expected"),
    PATHOLOGICAL,
)
def test_pathological_input_is_parsed_not_crashed(terms: str, expected: SearchQuery) -> None:
    assert parse_search(terms) == expected


@pytest.mark.parametrize(
    ("offset_seconds", "utc_offset"),
    [
        (0, datetime.timedelta(0)),
        (32400, datetime.timedelta(hours=9)),
        (-16200, datetime.timedelta(hours=-4, minutes=-30)),
    ],
    ids=["utc", "seoul", "minus-four-thirty"],
)
def test_time_zone_from_offset(offset_seconds: int, utc_offset: datetime.timedelta) -> None:
    assert time_zone_from_offset(offset_seconds).utcoffset(None) == utc_offset


def test_time_zone_offset_of_a_day_or_more_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        time_zone_from_offset(86400)
    assert caught.value.message == "86400 is not a time zone offset; use seconds east of UTC."
    assert caught.value.error_id == "api.post.search_posts.invalid_body.app_error"


def test_time_zone_from_offset_gives_the_same_days_as_the_named_zone() -> None:
    """Mattermost clients send seconds; Seoul has no DST, so both agree."""
    assert parse_search("on:2024-03-05", time_zone=time_zone_from_offset(32400)) == parse_search(
        "on:2024-03-05", time_zone=SEOUL
    )
