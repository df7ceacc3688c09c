"""The markdown renderer: features, mentions, emoji, and what it refuses to emit."""

import re
from html.parser import HTMLParser

import pytest

from apps.posts import markdown
from apps.posts.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    MAX_MESSAGE_LENGTH,
    render_markdown,
    sanitize_html,
)

EXTERNAL = 'rel="noopener noreferrer nofollow" target="_blank"'

# (markdown, keyword arguments, fragments the HTML must contain, fragments it must not)
FEATURES = [
    ("**bold**", {}, ["<p><strong>bold</strong></p>"], []),
    ("*it* and _it_", {}, ["<em>it</em> and <em>it</em>"], []),
    ("~~gone~~", {}, ["<s>gone</s>"], []),
    ("- a\n- b", {}, ["<ul>\n<li>a</li>\n<li>b</li>\n</ul>"], []),
    ("1. a\n2. b", {}, ["<ol>\n<li>a</li>\n<li>b</li>\n</ol>"], []),
    ("3. c\n4. d", {}, ['<ol start="3">'], []),
    ("> quoted", {}, ["<blockquote>\n<p>quoted</p>\n</blockquote>"], []),
    (
        "| a | b |\n|:-|-:|\n| 1 | 2 |",
        {},
        ["<table>", '<th class="align-left">a</th>', '<td class="align-right">2</td>'],
        ["style="],
    ),
    ("`x < y`", {}, ["<code>x &lt; y</code>"], []),
    (
        "```python\ndef f():\n    return 1\n```",
        {},
        [
            '<pre class="codehilite"><code class="language-python">',
            '<span class="k">def</span>',
            '<span class="nf">f</span>',
        ],
        [],
    ),
    (
        "```no-such-language\n<b>x</b>\n```",
        {},
        ['<pre class="codehilite"><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>'],
        ["<span"],
    ),
    ("```\nplain <i>\n```", {}, ['<pre class="codehilite"><code>plain &lt;i&gt;'], ["<span"]),
    ("    indented", {}, ['<pre class="codehilite"><code>indented'], []),
    ("# Title", {}, ["<h1>Title</h1>"], []),
    ("one\ntwo", {}, ["one<br>\ntwo"], []),
    ("---", {}, ["<hr>"], []),
    (
        "see https://example.com/a?b=1 now",
        {},
        [f'<a href="https://example.com/a?b=1" {EXTERNAL}>https://example.com/a?b=1</a> now'],
        [],
    ),
    ("www.example.org", {}, [f'<a href="http://www.example.org" {EXTERNAL}>'], []),
    ("mail bob@example.com", {}, [f'<a href="mailto:bob@example.com" {EXTERNAL}>'], []),
    ("edit setup.py and config.settings", {}, ["edit setup.py and config.settings"], ["<a"]),
    (
        '[docs](https://example.com/docs "The docs")',
        {},
        ['<a href="https://example.com/docs" title="The docs" ' + EXTERNAL + ">docs</a>"],
        [],
    ),
    (
        "[channel](/team/channels/town-square)",
        {},
        ['<a href="/team/channels/town-square" rel="noopener noreferrer nofollow">channel</a>'],
        ["target="],
    ),
    (
        "![a *cat*](https://example.com/cat.png)",
        {},
        [f'<a href="https://example.com/cat.png" {EXTERNAL}>a cat</a>'],
        ["<img"],
    ),
    ("![](https://example.com/x.png)", {}, [">https://example.com/x.png</a>"], ["<img"]),
    (
        "[![inner](https://example.com/i.png)](https://example.com/)",
        {},
        [f'<a href="https://example.com/" {EXTERNAL}>inner</a>'],
        ["<img", "i.png"],
    ),
    ("<b>raw</b>", {}, ["&lt;b&gt;raw&lt;/b&gt;"], ["<b>"]),
    # mentions
    ("hi @alice", {}, ['hi <span class="mention" data-mention="alice">@alice</span>'], []),
    ("@alice.", {}, ['data-mention="alice">@alice</span>.'], []),
    ("@jo.ann_b-c", {}, ['data-mention="jo.ann_b-c">@jo.ann_b-c</span>'], []),
    ("@Alice", {}, ['data-mention="alice">@Alice</span>'], []),
    (
        "@me",
        {"viewer_username": "me"},
        ['<span class="mention mention--me" data-mention="me">@me</span>'],
        [],
    ),
    (
        "@ME",
        {"viewer_username": "me"},
        ['<span class="mention mention--me" data-mention="me">@ME</span>'],
        [],
    ),
    (
        "@channel @all @here",
        {"viewer_username": "me"},
        [
            '<span class="mention mention--channel" data-mention="channel">@channel</span>',
            '<span class="mention mention--channel" data-mention="all">@all</span>',
            '<span class="mention mention--channel" data-mention="here">@here</span>',
        ],
        ["mention--me"],
    ),
    (
        "@alice @carol @here @me",
        {"known_usernames": ["alice"], "viewer_username": "me"},
        [
            'data-mention="alice"',
            "@carol",
            'data-mention="here"',
            'class="mention mention--me" data-mention="me"',
        ],
        ['data-mention="carol"'],
    ),
    ("@bob.", {"known_usernames": {"bob."}}, ['data-mention="bob.">@bob.</span>'], []),
    ("@bob.", {"known_usernames": {"bob"}}, ['data-mention="bob">@bob</span>.'], []),
    ("`@alice`", {}, ["<code>@alice</code>"], ["mention"]),
    ("```\n@alice\n```", {}, ["@alice"], ["mention"]),
    ("[@alice](https://example.com)", {}, [">@alice</a>"], ["mention"]),
    ("https://example.com/@alice", {}, ['href="https://example.com/@alice"'], ["mention"]),
    ("alice@example.com", {}, ["mailto:alice@example.com"], ["mention"]),
    ("@1abc", {}, ["@1abc"], ["mention"]),
    ("**@alice**", {}, ['<strong><span class="mention" data-mention="alice">'], []),
    # emoji
    (":smile:", {}, ['<span class="emoji" title=":smile:">\U0001f604</span>'], []),
    (":+1: :thumbsup:", {}, ['title=":+1:">\U0001f44d</span>', 'title=":thumbsup:"'], []),
    (":smile::heart:", {}, ['title=":smile:"', 'title=":heart:"'], []),
    (":not_an_emoji: at 10:30:45", {}, [":not_an_emoji: at 10:30:45"], ['class="emoji"']),
    ("`:smile:`", {}, ["<code>:smile:</code>"], ["emoji"]),
    ("```\n:smile:\n```", {}, [":smile:"], ["emoji"]),
    # inline mode, for the channel header
    (
        "# Title *x* @me :smile:\n- item\n\n> q https://example.com",
        {"inline": True, "viewer_username": "me"},
        [
            "# Title <em>x</em>",
            'class="mention mention--me"',
            'title=":smile:"',
            "- item",
            f'<a href="https://example.com" {EXTERNAL}>',
        ],
        ["<p>", "<h1>", "<ul>", "<li>", "<blockquote>", "<br>"],
    ),
    (
        "```python\nx = 1\n```",
        {"inline": True},
        ["<code>python x = 1 </code>"],
        ["<pre"],
    ),
]


@pytest.mark.parametrize(("source", "kwargs", "present", "absent"), FEATURES)
def test_renders_feature(source, kwargs, present, absent):
    html = render_markdown(source, **kwargs)
    for fragment in present:
        assert fragment in html, (fragment, html)
    for fragment in absent:
        assert fragment not in html, (fragment, html)
    _assert_safe(html)


def test_empty_text_renders_empty():
    assert render_markdown("") == ""
    assert render_markdown("", inline=True) == ""


def test_text_beyond_the_post_limit_is_cut():
    html = render_markdown("a" * (MAX_MESSAGE_LENGTH + 5000))
    assert html == f"<p>{'a' * MAX_MESSAGE_LENGTH}</p>\n"


# --- the XSS corpus ---------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<details open ontoggle=alert(1)>",
    "<style>body{display:none}</style>",
    "<!-- <script>alert(1)</script> -->",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="http://x" onclick="alert(1)">y</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x]( javascript:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](\x00javascript:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](<javascript:alert(1)>)",
    "[x](javascript://%0aalert(1))",
    '[x](javascript:alert(1) "title")',
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '[x][ref]\n\n[ref]: <javascript:alert(1)> "t"',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](//evil.example/path)",
    "[x](/\\evil.example/path)",
    '[a](http://x "\\" onmouseover=\\"alert(1))',
    '[a](http://x "x\\" onmouseover=\\"alert(1)")',
    "[a](http://x 'x' onmouseover='alert(1)')",
    "[<img src=x onerror=alert(1)>](http://x)",
    "![<svg onload=alert(1)>](http://x/y.png)",
    "**<b onmouseover=alert(1)>x</b>**",
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/<script>alert(1)</script>",
    "www.example.com/'><script>alert(1)</script>",
    "@<script>alert(1)</script>",
    "@alice<script>alert(1)</script>",
    '@"><img src=x onerror=alert(1)>',
    ":<img src=x onerror=alert(1)>:",
    ':smile" onmouseover="alert(1):',
    '```"><script>alert(1)</script>\ncode\n```',
    "```python onload=alert(1)\nx\n```",
    '```<img src=x onerror=alert(1)>\n"></code><script>alert(1)</script>\n```',
    "`</code><script>alert(1)</script>`",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "| a |\n|---|\n| [x](javascript:alert(1)) |",
    '| <th style="x:expression(alert(1))"> |\n|---|\n| y |',
    "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
    "[x](mailto:a@example.com?body=<script>alert(1)</script>)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<scr<script>ipt>alert(1)</script>",
]

_HREF_OK = re.compile(r"^(?:https?:|mailto:|/(?![/\\]))", re.IGNORECASE)


class _Audit(HTMLParser):
    """Collects every way a fragment of HTML breaks the allow-list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name not in allowed or name.startswith("on"):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and not _HREF_OK.match(value or ""):
                self.problems.append(f"href {value!r}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.problems.append("comment")


def _assert_safe(html: str, *, sanitized: bool = True) -> None:
    assert "<script" not in html.lower()
    audit = _Audit()
    audit.feed(html)
    audit.close()
    assert audit.problems == [], (audit.problems, html)
    # The same, read without a parser: in the output a "<" always opens a tag, and quoted
    # attribute values hold no quote or ">", so stripping them leaves only attribute names.
    for tag in re.finditer(r"<([a-z0-9]+)([^>]*)>", html):
        names = re.sub(r'="[^"]*"', "", tag.group(2))
        assert not re.search(r"\bon\w*", names), html
        for href in re.findall(r'\shref="([^"]*)"', tag.group(2)):
            assert not re.match(r"\s*(javascript|data|vbscript):", href, re.IGNORECASE), html
    if sanitized:
        assert sanitize_html(html) == html


def test_the_corpus_is_large_enough():
    assert len(XSS_PAYLOADS) >= 30


@pytest.mark.parametrize("inline", [False, True], ids=["block", "inline"])
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_renders_safely(payload, inline):
    html = render_markdown(
        payload, inline=inline, viewer_username="alice", known_usernames={"alice"}
    )
    _assert_safe(html)
    assert "<img" not in html
    assert "<svg" not in html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_stage_is_safe_without_the_sanitizer(payload, monkeypatch):
    """nh3 is the last line of defence, not the only one."""
    monkeypatch.setattr(markdown, "sanitize_html", lambda html: html)
    for inline in (False, True):
        html = render_markdown(payload, inline=inline, viewer_username="alice")
        _assert_safe(html, sanitized=False)


@pytest.mark.parametrize(
    "payload",
    [
        "[x](javascript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "<javascript:alert(1)>",
        "[x](data:text/html,hi)",
        "[x](vbscript:msgbox(1))",
        "[x](//evil.example/path)",
        "[x](relative/path)",
    ],
)
def test_refused_link_is_plain_text(payload):
    assert "<a" not in render_markdown(payload)


def test_sanitizer_strips_what_the_renderer_never_emits():
    dirty = (
        '<a href="javascript:alert(1)" onclick="x()">a</a><img src="x"><script>bad()</script>'
        '<span style="color:red" class="mention">s</span><div>d</div>'
    )
    clean = sanitize_html(dirty)
    assert clean == '<a>a</a><span class="mention">s</span>d'


# --- pathological input -----------------------------------------------------------------------

PATHOLOGICAL = [">", "*", "_", "[", "![", "[a](", "<", "`", "~~", "|", "- ", "1. ", "> - ", "*_"]


@pytest.mark.parametrize("unit", PATHOLOGICAL)
@pytest.mark.parametrize("count", [5000, MAX_MESSAGE_LENGTH])
def test_pathological_nesting_renders_and_stays_bounded(unit, count):
    # Speed is for benchmarks, not unit tests; here the output must stay bounded and safe.
    html = render_markdown(unit * count)
    assert len(html) < 8 * MAX_MESSAGE_LENGTH
    _assert_safe(html)
