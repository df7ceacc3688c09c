"""Text to index tokens, the same way for every backend and for queries.

Both backends store exactly the tokens made here (PostgreSQL as a `tsvector` literal,
SQLite FTS5 through its `ascii` tokenizer, which splits on ASCII punctuation and spaces
only), so they find the same posts by construction.

- Text is NFKC-normalized and lowercased; a token is a run of letters, marks and digits.
- Latin, Cyrillic and other space-separated scripts: one token per word, no stemming
  (language-neutral: a search for "run" does not find "running", in any language).
- Chinese, Japanese and Korean have no spaces between words, so their runs are cut into
  overlapping pairs of characters (bigrams): "東京都庁" gives 東京, 京都, 都庁. A query
  of two or more such characters becomes the phrase of its bigrams, which finds it
  inside any longer run. A run of one character is kept as it is.
"""

import unicodedata
from collections.abc import Iterator

# Unicode blocks written without spaces between words.
CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3130, 0x318F),  # Hangul Compatibility Jamo
    (0x31F0, 0x31FF),  # Katakana Phonetic Extensions
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7AF),  # Hangul Syllables
    (0xD7B0, 0xD7FF),  # Hangul Jamo Extended-B
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # Halfwidth Katakana
    (0x20000, 0x323AF),  # CJK Unified Ideographs Extensions B to H
)
TOKEN_MAX = 64  # longer "words" (hashes, base64) are cut: nobody types them whole


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in CJK_RANGES)


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def _runs(text: str) -> Iterator[tuple[str, bool]]:
    """(run, is_cjk) for each maximal run of word characters of one kind."""
    run: list[str] = []
    run_cjk = False
    for char in text:
        if not _is_word_char(char):
            if run:
                yield "".join(run), run_cjk
                run = []
            continue
        char_cjk = is_cjk(char)
        if run and char_cjk != run_cjk:
            yield "".join(run), run_cjk
            run = []
        run_cjk = char_cjk
        run.append(char)
    if run:
        yield "".join(run), run_cjk


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text: str) -> list[str]:
    """The index tokens of `text`, in order (their positions are their indexes)."""
    found: list[str] = []
    for run, cjk in _runs(normalize(text)):
        if not cjk:
            found.append(run[:TOKEN_MAX])
        elif len(run) == 1:
            found.append(run)
        else:
            found.extend(run[i : i + 2] for i in range(len(run) - 1))
    return found


# A hashtag is indexed as one token of its own kind: a fullwidth number sign, then the
# tag with its ASCII punctuation in fullwidth forms. Message text can never produce it
# (NFKC turns fullwidth forms back into ASCII, which splits words), and SQLite's `ascii`
# tokenizer keeps it whole, since every character in it is outside ASCII.
HASHTAG_MARK = "\uff03"
_FULLWIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def hashtag_token(tag: str) -> str:
    """The index token of a hashtag, given with or without its `#`."""
    return HASHTAG_MARK + normalize(tag.lstrip("#")).translate(_FULLWIDTH)[:TOKEN_MAX]
