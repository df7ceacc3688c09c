"""Search hits marked in a rendered message: the matched words wrapped in `<mark>`.

The input is the sanitized HTML of `render_markdown`; only its text is touched. Tags are
copied exactly as they came (so an `href` that contains a search word stays intact),
text is unescaped, searched, and escaped again around the `<mark>`s, so no search term
can add markup, whatever characters it holds.

Words match as the index matched them: case-insensitively, as whole words in
space-separated scripts (a search for "pay" does not mark "payment"), a prefix (`deploy*`)
through the end of its word, and Chinese, Japanese and Korean anywhere inside a run.
"""

import html
import re
from collections.abc import Collection, Iterable
from html.parser import HTMLParser

from django.utils.safestring import SafeString, mark_safe

from apps.search.analysis import CJK_RANGES, is_cjk

MARK_OPEN = '<mark class="search-hit">'
MARK_CLOSE = "</mark>"

# A letter or digit of a space-separated script: what ends a word for the index. CJK
# characters are left out, as the index cuts them into pairs wherever they stand.
_CJK_CLASS = "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in CJK_RANGES)
_WORD = f"[^\\W_{_CJK_CLASS}]"
_SEPARATOR = r"[\W_]+"
_WORDS = re.compile(r"[^\W_]+")


def _term_pattern(term: str, *, prefix: bool) -> str | None:
    """The regex of one match term, or None when it has no letters or digits."""
    hashtag = term.startswith("#")
    words = _WORDS.findall(term)
    if not words:
        return None
    body = _SEPARATOR.join(re.escape(word) for word in words)
    if hashtag:
        body = "#" + body
    elif not is_cjk(words[0][0]):
        body = f"(?<!{_WORD})" + body
    last = words[-1][-1]
    if not is_cjk(last):
        body += f"{_WORD}*" if prefix else f"(?!{_WORD})"
    return body


def _compile(terms: Iterable[str], prefixes: Collection[str]) -> re.Pattern[str] | None:
    patterns = {}
    for term in terms:
        pattern = _term_pattern(term, prefix=term in prefixes)
        if pattern is not None:
            patterns[pattern] = len(term)
    if not patterns:
        return None
    # Longer terms first, so a phrase wins over a word inside it.
    ordered = sorted(patterns, key=lambda p: -patterns[p])
    return re.compile("|".join(f"(?:{p})" for p in ordered), re.IGNORECASE)


class _Marker(HTMLParser):
    """Copies tags verbatim and marks the pattern's matches in text."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.pattern = pattern
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        position = 0
        for found in self.pattern.finditer(data):
            if found.end() == found.start():
                continue
            self.parts.append(html.escape(data[position : found.start()], quote=False))
            self.parts.append(MARK_OPEN + html.escape(found.group(), quote=False) + MARK_CLOSE)
            position = found.end()
        self.parts.append(html.escape(data[position:], quote=False))

    # The sanitizer leaves no comments, declarations or processing instructions; should
    # one appear, it is dropped rather than copied.
    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass


def highlight(
    sanitized_html: str, terms: Iterable[str], *, prefixes: Collection[str] = ()
) -> SafeString:
    """`sanitized_html` with each of `terms` marked; `prefixes` are the terms typed with
    a trailing `*`, marked through the end of the word they start."""
    pattern = _compile(terms, prefixes)
    if pattern is None:
        return mark_safe(sanitized_html)  # noqa: S308 - the caller's sanitized HTML
    marker = _Marker(pattern)
    marker.feed(sanitized_html)
    marker.close()
    return mark_safe("".join(marker.parts))  # noqa: S308 - tags copied, text re-escaped
