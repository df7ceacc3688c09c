"""Full-text matching behind one interface: PostgreSQL tsvector + GIN, SQLite FTS5.

A parsed `SearchQuery`'s words, phrases and prefixes become `Clause`s of index tokens
(`apps.search.analysis`); each backend renders clauses in its own query language and
narrows a queryset of `PostSearchEntry` with them. Both index exactly the same tokens,
so the same query finds the same posts on either database. A filter takes groups of
clauses: clauses within a group all match (or any, for an OR search), and the groups
are alternatives (the words, or the hashtags: Mattermost joins their results).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from apps.search.analysis import hashtag_token, tokens
from apps.search.grammar import SearchQuery


@dataclass(frozen=True)
class Clause:
    """Tokens that must appear in this order, next to each other; with `prefix`, the last
    one may be the start of a longer token. `text` is what the user typed."""

    tokens: tuple[str, ...]
    prefix: bool = False
    text: str = ""


def _clauses(words: tuple[str, ...], *, prefix: bool = False) -> list[Clause]:
    found = []
    for word in words:
        word_tokens = tuple(tokens(word))
        if word_tokens:  # only punctuation or emoji: nothing to look for
            found.append(Clause(word_tokens, prefix=prefix, text=word))
    return found


def positive_clauses(query: SearchQuery) -> list[Clause]:
    return [
        *_clauses(query.terms),
        *_clauses(query.phrases),
        *_clauses(query.prefixes, prefix=True),
    ]


def hashtag_clauses(tags: tuple[str, ...]) -> list[Clause]:
    return [Clause((hashtag_token(tag),), text=f"#{tag}") for tag in tags]


def negative_clauses(query: SearchQuery) -> list[Clause]:
    return [
        *_clauses(query.excluded_terms),
        *_clauses(query.excluded_phrases),
        *_clauses(query.excluded_prefixes, prefix=True),
        *hashtag_clauses(query.excluded_hashtags),
    ]


def clause_matches(clause: Clause, body_tokens: list[str]) -> bool:
    """Whether a post's tokens contain the clause (for `matches` and the tests' model)."""
    size = len(clause.tokens)
    for start in range(len(body_tokens) - size + 1):
        window = body_tokens[start : start + size]
        if clause.prefix:
            if window[:-1] == list(clause.tokens[:-1]) and window[-1].startswith(clause.tokens[-1]):
                return True
        elif window == list(clause.tokens):
            return True
    return False


class PostgresBackend:
    """`vector @@ tsquery` on the GIN-indexed tsvector column (see the migration)."""

    def _render(self, clause: Clause) -> str:
        # Tokens hold letters, marks and digits only, so quoting them needs no escapes.
        quoted = [f"'{token}'" for token in clause.tokens]
        if clause.prefix:
            quoted[-1] += ":*"
        return "(" + " <-> ".join(quoted) + ")"

    def _matching(self, groups: list[list[Clause]], *, any_of: bool) -> RawSQL:
        inner = " | " if any_of else " & "
        joined = " | ".join(
            "(" + inner.join(self._render(c) for c in group) + ")" for group in groups
        )
        return RawSQL(
            "search_postsearchentry.vector @@ %s::tsquery", [joined], output_field=BooleanField()
        )

    def filter(self, entries: QuerySet, groups: list[list[Clause]], *, any_of: bool) -> QuerySet:
        return entries.alias(_hit=self._matching(groups, any_of=any_of)).filter(_hit=True)

    def exclude(self, entries: QuerySet, clause: Clause) -> QuerySet:
        return entries.alias(_miss=self._matching([[clause]], any_of=False)).filter(_miss=False)


class SqliteBackend:
    """`MATCH` on the FTS5 table kept in step with the entries by triggers."""

    def _render(self, clause: Clause) -> str:
        # FTS5 strings are double-quoted; tokens contain no quotes.
        return '"' + " ".join(clause.tokens) + '"' + (" *" if clause.prefix else "")

    def _matching(self, groups: list[list[Clause]], *, any_of: bool) -> RawSQL:
        inner = " OR " if any_of else " AND "
        joined = " OR ".join(
            "(" + inner.join(self._render(c) for c in group) + ")" for group in groups
        )
        return RawSQL(
            "search_postsearchentry.id IN "
            "(SELECT rowid FROM search_post_fts WHERE search_post_fts MATCH %s)",
            [joined],
            output_field=BooleanField(),
        )

    def filter(self, entries: QuerySet, groups: list[list[Clause]], *, any_of: bool) -> QuerySet:
        return entries.alias(_hit=self._matching(groups, any_of=any_of)).filter(_hit=True)

    def exclude(self, entries: QuerySet, clause: Clause) -> QuerySet:
        return entries.alias(_miss=self._matching([[clause]], any_of=False)).filter(_miss=False)


def backend() -> PostgresBackend | SqliteBackend:
    """The backend of the database the index lives in."""
    vendor = connection.vendor
    if vendor == "postgresql":
        return PostgresBackend()
    if vendor == "sqlite":
        return SqliteBackend()
    raise RuntimeError(f"Search has no backend for {vendor}.")
