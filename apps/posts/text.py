"""Parsing of message text: mentions and hashtags."""

import re
from dataclasses import dataclass, field

# @word: a username may contain '.', '-' and '_', even at its end, so the word keeps
# them; `username_candidates` decides whether they end the sentence instead.
_MENTION_RE = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9.\-_]*)", re.IGNORECASE)
_HASHTAG_RE = re.compile(r"(?<![\w#])#([A-Za-z][A-Za-z0-9\-_.]*[A-Za-z0-9])")
_CODE_RE = re.compile(r"```.*?(```|$)|`[^`\n]*`", re.DOTALL)
_TRAILING_PUNCTUATION = ".-_"

CHANNEL_WIDE = frozenset({"channel", "all", "here"})
HASHTAGS_MAX_LENGTH = 1000


@dataclass
class ParsedMentions:
    words: list[str] = field(default_factory=list)  # after each @, lowercased, as written
    channel: bool = False  # @channel or @all
    here: bool = False

    @property
    def usernames(self) -> set[str]:
        """Every username the words may stand for, to look them all up at once."""
        return {name for word in self.words for name in username_candidates(word)}


def without_code(message: str) -> str:
    """Mentions and hashtags inside code spans do not count (as in Mattermost)."""
    return _CODE_RE.sub(" ", message)


def username_candidates(word: str) -> list[str]:
    """The names `@word` may mean, best first: the whole word, then the word without
    each trailing '.', '-' or '_' in turn.

    "@bob." names the user "bob." if there is one and "bob" otherwise, which is the
    order Mattermost tries; stripping eagerly would make such usernames unmentionable.
    """
    candidates = [word]
    while len(word) > 1 and word[-1] in _TRAILING_PUNCTUATION:
        word = word[:-1]
        candidates.append(word)
    return candidates


def parse_mentions(message: str) -> ParsedMentions:
    parsed = ParsedMentions()
    for match in _MENTION_RE.finditer(without_code(message)):
        word = match.group(1).lower()
        candidates = username_candidates(word)
        if "channel" in candidates or "all" in candidates:
            parsed.channel = True
        elif "here" in candidates:
            parsed.here = True
        elif word not in parsed.words:
            parsed.words.append(word)
    return parsed


def mentions_keyword(message: str, keyword: str) -> bool:
    """Whether `keyword` appears as a whole word (case-insensitive), outside code."""
    return mentions_any_keyword(without_code(message), [keyword])


def mentions_any_keyword(text_without_code: str, keywords: list[str]) -> bool:
    """Whether any keyword appears as a whole word in text already stripped of code.

    One alternation per call keeps a member with many keywords to a single scan.
    """
    words = sorted({k.strip() for k in keywords if k.strip()}, key=len, reverse=True)
    if not words:
        return False
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)"
    return re.search(pattern, text_without_code, re.IGNORECASE) is not None


def parse_hashtags(message: str) -> str:
    """Space-joined distinct hashtags, in order of appearance, bounded in length."""
    seen: list[str] = []
    for match in _HASHTAG_RE.finditer(without_code(message)):
        tag = "#" + match.group(1)
        if tag not in seen:
            seen.append(tag)
    out = ""
    for tag in seen:
        candidate = f"{out} {tag}" if out else tag
        if len(candidate) > HASHTAGS_MAX_LENGTH:
            break
        out = candidate
    return out
