"""Parsing of message text: mentions and hashtags."""

import re
from dataclasses import dataclass, field

# @name, where name may contain '.', '-', '_' but a trailing '.' belongs to the sentence.
_MENTION_RE = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9.\-_]*[a-z0-9_]|[a-z0-9])", re.IGNORECASE)
_HASHTAG_RE = re.compile(r"(?<![\w#])#([A-Za-z][A-Za-z0-9\-_.]*[A-Za-z0-9])")
_CODE_RE = re.compile(r"```.*?(```|$)|`[^`\n]*`", re.DOTALL)

CHANNEL_WIDE = frozenset({"channel", "all", "here"})
HASHTAGS_MAX_LENGTH = 1000


@dataclass
class ParsedMentions:
    usernames: set[str] = field(default_factory=set)
    channel: bool = False  # @channel or @all
    here: bool = False


def _without_code(message: str) -> str:
    """Mentions and hashtags inside code spans do not count (as in Mattermost)."""
    return _CODE_RE.sub(" ", message)


def parse_mentions(message: str) -> ParsedMentions:
    parsed = ParsedMentions()
    for match in _MENTION_RE.finditer(_without_code(message)):
        name = match.group(1).lower()
        if name in ("channel", "all"):
            parsed.channel = True
        elif name == "here":
            parsed.here = True
        else:
            parsed.usernames.add(name)
    return parsed


def mentions_keyword(message: str, keyword: str) -> bool:
    """Whether `keyword` appears as a whole word (case-insensitive)."""
    keyword = keyword.strip()
    if not keyword:
        return False
    pattern = r"(?<![\w])" + re.escape(keyword) + r"(?![\w])"
    return re.search(pattern, _without_code(message), re.IGNORECASE) is not None


def parse_hashtags(message: str) -> str:
    """Space-joined distinct hashtags, in order of appearance, bounded in length."""
    seen: list[str] = []
    for match in _HASHTAG_RE.finditer(_without_code(message)):
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
