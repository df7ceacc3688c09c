"""The one server-side markdown renderer: posts, channel headers and e-mails.

Markdown is parsed with markdown-it-py (CommonMark, tables, strikethrough, bare-URL
linking) with raw HTML turned off, decorated with @mentions and :emoji: on the token
stream, and the resulting HTML is always passed through nh3 with a fixed allow-list.
The markdown stage is meant to be safe on its own; nh3 is the last line of defence.
"""

import re
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import Any

import nh3
from linkify_it import LinkifyIt
from linkify_it.main import Match
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from apps.posts.emoji import emoji_char
from apps.posts.text import CHANNEL_WIDE, username_candidates

# Mattermost's post limit; longer text is cut before parsing so work stays bounded.
MAX_MESSAGE_LENGTH = 16383
# Deep enough for real quotes and lists, shallow enough that hostile nesting is cheap.
MAX_NESTING = 20

LINK_REL = "noopener noreferrer nofollow"
URL_SCHEMES = frozenset({"http", "https", "mailto"})

ALLOWED_TAGS = frozenset(
    {
        "a", "p", "br", "strong", "em", "del", "s", "code", "pre", "span", "blockquote",
        "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "hr",
        "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "rel", "target"},
    "span": {"class", "data-mention", "title"},
    "code": {"class"},
    "pre": {"class"},
    "th": {"class"},
    "td": {"class"},
    "ol": {"start"},
}

_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# "/path" stays on the site; "//host" and "/\host" are browsers' off-site shorthands.
_LOCAL_PATH_RE = re.compile(r"^/(?![/\\])")
_MENTION_OR_EMOJI_RE = re.compile(
    r"(?<![\w@])@(?P<user>[A-Za-z][A-Za-z0-9._\-]*)|(?<!\w):(?P<emoji>[A-Za-z0-9_+\-]+):"
)
_CELL_ALIGN_RE = re.compile(r"text-align:\s*(left|center|right)")
_LANGUAGE_CLASS_RE = re.compile(r"[^a-z0-9_+\-]")
_MAX_LANGUAGE_LENGTH = 40

_FORMATTER = HtmlFormatter(nowrap=True)


def is_allowed_url(url: str) -> bool:
    """Whether a link target may be emitted: http, https, mailto, or a local `/` path.

    markdown-it calls this with the URL after decoding entities and percent-encoding
    whitespace and control characters, so an obfuscated `java&#x09;script:` arrives as
    `java%09script:`, which has no valid scheme and is not a local path: refused.
    """
    match = _SCHEME_RE.match(url)
    if match:
        return match.group(1).lower() in URL_SCHEMES
    return _LOCAL_PATH_RE.match(url) is not None


def render_markdown(
    text: str,
    *,
    viewer_username: str = "",
    known_usernames: Collection[str] | None = None,
    inline: bool = False,
) -> str:
    """Sanitized HTML for a message (the caller marks it safe).

    `viewer_username` gets the `mention--me` highlight; when `known_usernames` is given,
    only those names (and @channel, @all, @here) become mentions. `inline` renders for a
    one-line place such as the channel header: inline markup only, no blocks.
    """
    if not text:
        return ""
    text = text[:MAX_MESSAGE_LENGTH]
    viewer = viewer_username.lower()
    known = None
    if known_usernames is not None:
        # The viewer always knows their own name, even if the caller's list missed it.
        known = frozenset(name.lower() for name in known_usernames) | {viewer} - {""}
    env: dict[str, Any] = {"viewer": viewer, "known": known, "inline": inline}
    html = _MD.renderInline(text, env) if inline else _MD.render(text, env)
    return sanitize_html(html)


def sanitize_html(html: str) -> str:
    """The allow-list every rendered message passes through, whatever produced it."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


# --- the core rule: mentions, emoji, images ------------------------------------------------


def _decorate(state: StateCore) -> None:
    """Turn @mentions and :emoji: in plain text into their own tokens, and images into
    links. Working on text tokens (not on HTML) leaves code and link text untouched."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for token in block.children:
            if token.type == "image":
                children.extend(_image_as_link(token, inside_link=link_depth > 0))
                continue
            if token.type == "link_open":
                link_depth += 1
            elif token.type == "link_close":
                link_depth -= 1
            elif token.type == "text" and link_depth == 0:
                children.extend(_split_text(token, state.env))
                continue
            children.append(token)
        block.children = children


def _image_as_link(image: Token, *, inside_link: bool) -> list[Token]:
    """A remote image would leak the reader's address and break the CSP, so an image
    becomes a link to it, labelled with its alt text (plain text inside another link)."""
    src = str(image.attrGet("src") or "")
    label = _text_token(_plain_text(image.children or []) or src, image.level)
    if inside_link:
        return [label]
    link_open = Token("link_open", "a", 1, level=image.level)
    link_open.attrSet("href", src)
    title = image.attrGet("title")
    if title:
        link_open.attrSet("title", str(title))
    link_close = Token("link_close", "a", -1, level=image.level)
    return [link_open, label, link_close]


def _plain_text(tokens: Sequence[Token]) -> str:
    parts = []
    for token in tokens:
        if token.type in ("text", "code_inline", "text_special"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.children:
            parts.append(_plain_text(token.children))
    return "".join(parts)


def _text_token(content: str, level: int) -> Token:
    return Token("text", "", 0, content=content, level=level)


def _split_text(token: Token, env: Mapping[str, Any]) -> list[Token]:
    content = token.content
    if "@" not in content and ":" not in content:
        return [token]
    out: list[Token] = []
    pos = start = 0
    while match := _MENTION_OR_EMOJI_RE.search(content, pos):
        if match.group("user") is not None:
            special = _mention(match.group("user"), env, token.level)
            end = match.start() + 1 + len(special.meta["name"]) if special else match.end()
        else:
            special = _emoji(match.group("emoji"), token.level)
            end = match.end()
        if special is None:
            # An unknown `:name:` may end where a real one starts (":x:smile:").
            pos = match.end() - 1 if match.group("emoji") is not None else match.end()
            continue
        if match.start() > start:
            out.append(_text_token(content[start : match.start()], token.level))
        special.content = content[match.start() : end]
        out.append(special)
        pos = start = end
    if not out:
        return [token]
    if start < len(content):
        out.append(_text_token(content[start:], token.level))
    return out


def _mention(word: str, env: Mapping[str, Any], level: int) -> Token | None:
    """The mention token for `@word`, or None when it names no one worth highlighting.

    With a list of known names, the longest known reading wins ("@bob." is "bob." if
    that user exists, else "bob"), the order the notification code uses. Without one,
    a trailing "." ends the sentence, not the name.
    """
    word = word.lower()
    known: frozenset[str] | None = env["known"]
    if known is None:
        name = word.rstrip(".")
        if not name:
            return None
    else:
        name = next((c for c in username_candidates(word) if c in CHANNEL_WIDE or c in known), "")
        if not name:
            return None
    classes = ["mention"]
    if name in CHANNEL_WIDE:
        classes.append("mention--channel")
    elif name == env["viewer"]:
        classes.append("mention--me")
    return Token("mention", "span", 0, level=level, meta={"name": name, "classes": classes})


def _emoji(name: str, level: int) -> Token | None:
    char = emoji_char(name)
    if char is None:
        return None
    return Token("emoji", "span", 0, level=level, meta={"name": name.lower(), "char": char})


# --- rendering -----------------------------------------------------------------------------


def _render_mention(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    return (
        f'<span class="{" ".join(token.meta["classes"])}" '
        f'data-mention="{escapeHtml(token.meta["name"])}">{escapeHtml(token.content)}</span>'
    )


def _render_emoji(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    return (
        f'<span class="emoji" title=":{escapeHtml(meta["name"])}:">'
        f"{escapeHtml(meta['char'])}</span>"
    )


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Off-site links open in a new tab without handing the opener or referrer over;
    local `/` links stay in the tab."""
    token = tokens[idx]
    token.attrSet("rel", LINK_REL)
    if not _LOCAL_PATH_RE.match(str(token.attrGet("href") or "")):
        token.attrSet("target", "_blank")
    return self.renderToken(tokens, idx, options, env)


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Unreachable after `_decorate`; kept so an image can never become an <img>."""
    return escapeHtml(_plain_text(tokens[idx].children or []))


def _render_fence(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    info = unescapeAll(token.info).strip() if token.info else ""
    return _code_block(token.content, info.split(maxsplit=1)[0] if info else "")


def _render_code_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return _code_block(tokens[idx].content, "")


def _render_cell_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Column alignment as a class: the sanitizer allows no inline styles."""
    token = tokens[idx]
    style = str(token.attrs.pop("style", ""))
    if match := _CELL_ALIGN_RE.search(style):
        token.attrSet("class", f"align-{match.group(1)}")
    return self.renderToken(tokens, idx, options, env)


def _render_softbreak(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A newline is a line break in chat, but only a space in a one-line header."""
    return " " if env.get("inline") else "<br>\n"


def _code_block(code: str, language: str) -> str:
    lexer = _lexer_for(language.lower())
    if lexer is None:
        return f'<pre class="codehilite"><code>{escapeHtml(code)}</code></pre>\n'
    css_class = _LANGUAGE_CLASS_RE.sub("", lexer.aliases[0] if lexer.aliases else language)
    body = highlight(code, lexer, _FORMATTER)
    return f'<pre class="codehilite"><code class="language-{css_class}">{body}</code></pre>\n'


@lru_cache(maxsize=256)
def _lexer_for(language: str) -> Lexer | None:
    """The lexer a fence names, or None: never guessed, since guessing runs every lexer
    over the whole input."""
    if not language or len(language) > _MAX_LANGUAGE_LENGTH:
        return None
    try:
        return get_lexer_by_name(language, stripnl=False)
    except ClassNotFound:
        return None


class _Linkify(LinkifyIt):
    """Bare URLs become links when they carry a scheme or start with "www.", as in
    Mattermost; "setup.py" and "config.settings" are file and module names, not sites."""

    def match(self, text: str) -> list[Match] | None:
        matches = [
            m for m in super().match(text) or () if m.schema or m.text.lower().startswith("www.")
        ]
        return matches or None


def _build() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {
            "html": False,
            "linkify": True,
            "typographer": False,
            "breaks": True,
            "xhtmlOut": False,
            "maxNesting": MAX_NESTING,
        },
    )
    md.enable(["table", "strikethrough", "linkify"])
    md.linkify = _Linkify()
    md.validateLink = is_allowed_url  # type: ignore[method-assign]  # markdown-it's own hook
    md.core.ruler.push("confab_decorate", _decorate)
    for name, rule in (
        ("mention", _render_mention),
        ("emoji", _render_emoji),
        ("link_open", _render_link_open),
        ("image", _render_image),
        ("fence", _render_fence),
        ("code_block", _render_code_block),
        ("th_open", _render_cell_open),
        ("td_open", _render_cell_open),
        ("softbreak", _render_softbreak),
        ("hardbreak", _render_softbreak),
    ):
        md.add_render_rule(name, rule)
    return md


# Built once: configuring markdown-it compiles its rule chains and linkify's regexes.
_MD = _build()
