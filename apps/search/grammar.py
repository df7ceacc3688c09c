"""The search box's query language, parsed into a `SearchQuery` that backends run.

The grammar is Mattermost's (server/public/model/search_params.go): words, "quoted
phrases", `-` exclusions, trailing-`*` prefixes, `#hashtags` and the modifiers `from:`,
`in:`/`channel:`, `on:`, `before:`, `after:` and `ext:`. Where Mattermost silently
guesses (an unclosed quote, `from:` with no value, an impossible date), this parser
answers with an `InvalidInput` the user can act on instead.

Pure: no ORM and no I/O, so a backend can be swapped without touching the grammar.
A hand-written scanner keeps every step linear in the input; no regex can backtrack.
"""

import datetime
import unicodedata
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from apps.core.errors import InvalidInput

MAX_QUERY_LENGTH = 1000
MAX_TOKENS = 50

# Straight quotes plus the curly ones phones and word processors substitute; any of
# them opens a phrase and any closes it, as keyboards disagree on which is which.
QUOTE_CHARACTERS = frozenset('"\u201c\u201d\u201e')

DATE_MODIFIERS = frozenset({"on", "before", "after"})
MODIFIERS = frozenset({"from", "in", "channel", "ext"}) | DATE_MODIFIERS
_MODIFIER_EXAMPLES = {
    "from": "from:alice",
    "in": "in:town-square",
    "channel": "channel:town-square",
    "ext": "ext:pdf",
    "on": "on:2024-03-05",
    "before": "before:2024-03-05",
    "after": "after:2024-03-05",
}

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = datetime.timedelta(milliseconds=1)
_ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True, kw_only=True, slots=True)
class SearchQuery:
    """What a search asks for; text is lowercased, names are bare (no `@`, `~`, `#`).

    Several values in one field combine with OR for modifiers (`from:a from:b` is
    either author) and with AND for text unless `is_or_search` is set.
    """

    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()  # `deploy*`, stored as "deploy"
    hashtags: tuple[str, ...] = ()  # `#Release`, stored as "release"
    excluded_terms: tuple[str, ...] = ()
    excluded_phrases: tuple[str, ...] = ()
    excluded_prefixes: tuple[str, ...] = ()
    excluded_hashtags: tuple[str, ...] = ()
    from_users: tuple[str, ...] = ()  # usernames
    excluded_from_users: tuple[str, ...] = ()
    in_channels: tuple[str, ...] = ()  # channel names (the URL slug, not display name)
    excluded_in_channels: tuple[str, ...] = ()
    in_direct_with: tuple[str, ...] = ()  # `in:@bob`: the DM with bob
    excluded_in_direct_with: tuple[str, ...] = ()
    in_group_with: tuple[tuple[str, ...], ...] = ()  # `in:@a,b`: sorted usernames
    excluded_in_group_with: tuple[tuple[str, ...], ...] = ()
    extensions: tuple[str, ...] = ()  # `ext:pdf`, for file search
    excluded_extensions: tuple[str, ...] = ()
    created_from_ms: int | None = None  # inclusive
    created_before_ms: int | None = None  # exclusive
    excluded_created_ranges_ms: tuple[tuple[int, int], ...] = ()  # `-on:`, [from, before)
    is_or_search: bool = False

    @property
    def has_text(self) -> bool:
        """Whether anything must match the message, as opposed to only filters."""
        return bool(self.terms or self.phrases or self.prefixes or self.hashtags)

    @property
    def has_filters(self) -> bool:
        """Whether any modifier narrows where, by whom or when."""
        return bool(
            self.from_users
            or self.excluded_from_users
            or self.in_channels
            or self.excluded_in_channels
            or self.in_direct_with
            or self.excluded_in_direct_with
            or self.in_group_with
            or self.excluded_in_group_with
            or self.extensions
            or self.excluded_extensions
            or self.created_from_ms is not None
            or self.created_before_ms is not None
            or self.excluded_created_ranges_ms
        )

    @property
    def is_empty(self) -> bool:
        """Nothing to search for at all; backends answer an empty result."""
        has_excluded_text = bool(
            self.excluded_terms
            or self.excluded_phrases
            or self.excluded_prefixes
            or self.excluded_hashtags
        )
        return not (self.has_text or has_excluded_text or self.has_filters)


def time_zone_from_offset(offset_seconds: int) -> datetime.tzinfo:
    """The fixed zone for Mattermost's `time_zone_offset` (seconds east of UTC)."""
    if not -86400 < offset_seconds < 86400:
        raise InvalidInput(
            f"{offset_seconds} is not a time zone offset; use seconds east of UTC.",
            error_id="api.post.search_posts.invalid_body.app_error",
        )
    if offset_seconds == 0:
        return UTC
    return datetime.timezone(datetime.timedelta(seconds=offset_seconds))


def parse_search(
    terms: str, *, is_or_search: bool = False, time_zone: datetime.tzinfo = UTC
) -> SearchQuery:
    """Parse the search box text; dates are whole days in `time_zone`.

    Raises:
        InvalidInput: the text is too long or has too many parts, a quote is never
            closed, a modifier has no value, a date is not a date, or the dates
            leave no time to search.
    """
    if len(terms) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            f"The search is {len(terms):,} characters long; the limit is {MAX_QUERY_LENGTH:,}.",
            error_id="app.search.too_long.app_error",
        )
    # NFC so that Korean typed as separate jamo (macOS) matches the composed syllables.
    tokens = _tokenize(unicodedata.normalize("NFC", terms))
    builder = _QueryBuilder(time_zone=time_zone)
    position = 0
    while position < len(tokens):
        token = tokens[position]
        position += 1
        modifier = None if token.is_phrase else _split_modifier(token.text)
        if modifier is None:
            builder.add_text(token)
            continue
        name, value, excluded = modifier
        if not value:
            # Mattermost's `from: bob`: an empty modifier takes the next word.
            following = tokens[position] if position < len(tokens) else None
            if following is None or following.is_phrase or _split_modifier(following.text):
                raise _missing_value(name, excluded=excluded)
            value = following.text
            position += 1
        builder.add_modifier(name=name, value=value, excluded=excluded)
    return builder.build(is_or_search=is_or_search)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str  # a word as typed, or a phrase's inner text
    is_phrase: bool = False
    excluded: bool = False  # phrases only; a word keeps its leading "-" in `text`


def _is_separator(character: str) -> bool:
    # Control characters split words too: a NUL would otherwise reach PostgreSQL.
    return character.isspace() or unicodedata.category(character) == "Cc"


def _tokenize(text: str) -> list[_Token]:
    """Split on whitespace; a quoted section is one token, `-` before it excludes it."""
    tokens: list[_Token] = []

    def append(token: _Token) -> None:
        if len(tokens) == MAX_TOKENS:
            raise InvalidInput(
                f"The search has more than {MAX_TOKENS} words, phrases and modifiers; remove some.",
                error_id="app.search.too_many_terms.app_error",
            )
        tokens.append(token)

    word_start: int | None = None
    index = 0
    while index < len(text):
        character = text[index]
        if character in QUOTE_CHARACTERS:
            pending = text[word_start:index] if word_start is not None else ""
            excluded = pending == "-"
            if pending and not excluded:
                append(_Token(pending))
            word_start = None
            closing = _find_quote(text, index + 1)
            if closing is None:
                before = pending if pending and not excluded else None
                raise _unclosed_quote(previous=before or (tokens[-1] if tokens else None))
            phrase = " ".join(text[index + 1 : closing].split())
            if phrase:
                append(_Token(phrase, is_phrase=True, excluded=excluded))
            index = closing + 1
            continue
        if _is_separator(character):
            if word_start is not None and text[word_start:index] != "-":
                append(_Token(text[word_start:index]))
            word_start = None
        elif word_start is None:
            word_start = index
        index += 1
    if word_start is not None and text[word_start:] != "-":
        append(_Token(text[word_start:]))
    return tokens


def _find_quote(text: str, start: int) -> int | None:
    for index in range(start, len(text)):
        if text[index] in QUOTE_CHARACTERS:
            return index
    return None


def _split_modifier(word: str) -> tuple[str, str, bool] | None:
    """(name, value, excluded) for `name:value` with a known name; else None, so
    `http://x` and `12:30` stay plain words."""
    excluded = word.startswith("-")
    name, colon, value = word.removeprefix("-").partition(":")
    name = name.lower()
    if not colon or name not in MODIFIERS:
        return None
    return name, value, excluded


class _QueryBuilder:
    def __init__(self, *, time_zone: datetime.tzinfo) -> None:
        self.time_zone = time_zone
        self.values: dict[str, list[Any]] = {}
        self.from_ms: int | None = None
        self.from_source = ""
        self.before_ms: int | None = None
        self.before_source = ""

    def add(self, field_name: str, value: Any, *, excluded: bool) -> None:
        key = f"excluded_{field_name}" if excluded else field_name
        self.values.setdefault(key, []).append(value)

    def add_text(self, token: _Token) -> None:
        if token.is_phrase:
            self.add("phrases", token.text.lower(), excluded=token.excluded)
            return
        excluded = token.text.startswith("-")
        word = _trim_end(_trim_start(token.text, keep="#"), keep="*")
        if word.startswith("#"):
            hashtag = "#" + word.lstrip("#")  # "##tag" is "#tag", as in Mattermost
            if _is_hashtag(hashtag):
                self.add("hashtags", hashtag[1:].lower(), excluded=excluded)
                return
            # "#1" or "#태그" are not hashtags a post can carry: search the word.
            word = _trim_start(word.lstrip("#"), keep="")
        if word.endswith("*"):
            # The star needs at least one character before it: `*` alone would match
            # everything. One is enough, because a single CJK character is a word.
            stem = _trim_end(word.rstrip("*"), keep="")
            if stem:
                self.add("prefixes", stem.lower(), excluded=excluded)
            return
        if word:
            self.add("terms", word.lower(), excluded=excluded)

    def add_modifier(self, *, name: str, value: str, excluded: bool) -> None:
        if name in DATE_MODIFIERS:
            self.add_date(name=name, value=value, excluded=excluded)
            return
        value = value.lower()
        if name == "from":
            username = value.removeprefix("@")
            if not username:
                raise _missing_value(name, excluded=excluded)
            self.add("from_users", username, excluded=excluded)
        elif name == "ext":
            extension = value.lstrip(".")
            if not extension:
                raise _missing_value(name, excluded=excluded)
            self.add("extensions", extension, excluded=excluded)
        elif value.startswith("@"):
            # `in:@bob` is the DM with bob; `in:@alice,bob` the group message of both.
            usernames = sorted({u.removeprefix("@") for u in value[1:].split(",")} - {""})
            if not usernames:
                raise _missing_value(name, excluded=excluded)
            if len(usernames) == 1:
                self.add("in_direct_with", usernames[0], excluded=excluded)
            else:
                self.add("in_group_with", tuple(usernames), excluded=excluded)
        else:
            channel_name = value.removeprefix("~")
            if not channel_name:
                raise _missing_value(name, excluded=excluded)
            self.add("in_channels", channel_name, excluded=excluded)

    def add_date(self, *, name: str, value: str, excluded: bool) -> None:
        """Narrow the time range; `-after:D` means up to the end of D and `-before:D`
        from the start of D, so only `-on:` needs a hole in the range."""
        source = f"{'-' if excluded else ''}{name}:{value}"
        day = _parse_day(value)
        try:
            day_start = _day_start_ms(day, self.time_zone)
            next_day_start = _day_start_ms(day + _ONE_DAY, self.time_zone)
        except OverflowError:
            raise InvalidInput(
                f"{_quoted(value)} is outside the dates a search can use.",
                error_id="app.search.invalid_date.app_error",
            ) from None
        if name == "on" and excluded:
            self.add("created_ranges_ms", (day_start, next_day_start), excluded=True)
        elif name == "on":
            self.narrow_from(day_start, source)
            self.narrow_before(next_day_start, source)
        elif (name == "after") != excluded:  # after:D or -before:D
            self.narrow_from(day_start if excluded else next_day_start, source)
        else:  # before:D or -after:D
            self.narrow_before(next_day_start if excluded else day_start, source)

    def narrow_from(self, ms: int, source: str) -> None:
        if self.from_ms is None or ms > self.from_ms:
            self.from_ms, self.from_source = ms, source

    def narrow_before(self, ms: int, source: str) -> None:
        if self.before_ms is None or ms < self.before_ms:
            self.before_ms, self.before_source = ms, source

    def build(self, *, is_or_search: bool) -> SearchQuery:
        if (
            self.from_ms is not None
            and self.before_ms is not None
            and self.from_ms >= self.before_ms
        ):
            raise InvalidInput(
                f'The dates "{self.from_source}" and "{self.before_source}" do not overlap, '
                "so nothing can match.",
                error_id="app.search.empty_date_range.app_error",
            )
        unique = {key: tuple(dict.fromkeys(values)) for key, values in self.values.items()}
        return SearchQuery(
            **unique,
            created_from_ms=self.from_ms,
            created_before_ms=self.before_ms,
            is_or_search=is_or_search,
        )


def _is_trimmable(character: str) -> bool:
    """Punctuation around a word: ASCII symbols, Unicode punctuation (such as "。") and
    invisible format characters. Letters, digits, marks and emoji are kept."""
    if character.isascii():
        return not character.isalnum()
    category = unicodedata.category(character)
    return category.startswith("P") or category == "Cf"


def _trim_start(word: str, *, keep: str) -> str:
    start = 0
    while start < len(word) and word[start] not in keep and _is_trimmable(word[start]):
        start += 1
    return word[start:]


def _trim_end(word: str, *, keep: str) -> str:
    end = len(word)
    while end > 0 and word[end - 1] not in keep and _is_trimmable(word[end - 1]):
        end -= 1
    return word[:end]


def _is_hashtag(word: str) -> bool:
    """The hashtags posts record (apps.posts.text): `#`, an ASCII letter, then ASCII
    letters, digits, `-`, `_` or `.`, ending in a letter or digit."""
    body = word[1:]
    return (
        len(body) >= 2
        and body.isascii()
        and body[0].isalpha()
        and body[-1].isalnum()
        and all(c.isalnum() or c in "-_." for c in body)
    )


def _parse_day(value: str) -> datetime.date:
    """YYYY-MM-DD, tolerating one-digit months and days as Mattermost does."""
    parts = value.split("-")
    if (
        len(parts) != 3
        or not all(part.isascii() and part.isdigit() for part in parts)
        or len(parts[0]) != 4
        or not 1 <= len(parts[1]) <= 2
        or not 1 <= len(parts[2]) <= 2
    ):
        raise _bad_date(value)
    try:
        return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise _bad_date(value) from None


def _day_start_ms(day: datetime.date, time_zone: datetime.tzinfo) -> int:
    # Local midnight, so a day that springs forward or falls back is 23 or 25 hours.
    local_midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=time_zone)
    return (local_midnight - _EPOCH) // _ONE_MS


def _quoted(text: str, *, limit: int = 40) -> str:
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def _unclosed_quote(*, previous: "str | _Token | None") -> InvalidInput:
    if previous is None:
        message = "The quote at the start of the search is never closed."
    else:
        text = previous.text if isinstance(previous, _Token) else previous
        message = f"The quote after {_quoted(text)} is never closed."
    return InvalidInput(message, error_id="app.search.unclosed_quote.app_error")


def _missing_value(name: str, *, excluded: bool) -> InvalidInput:
    typed = f"{'-' if excluded else ''}{name}:"
    return InvalidInput(
        f'"{typed}" needs a value, e.g. {_MODIFIER_EXAMPLES[name]}.',
        error_id="app.search.empty_modifier.app_error",
    )


def _bad_date(value: str) -> InvalidInput:
    return InvalidInput(
        f"{_quoted(value)} is not a date; use YYYY-MM-DD.",
        error_id="app.search.invalid_date.app_error",
    )
