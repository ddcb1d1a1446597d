"""What a query's words are taken as: the index's own words, completions of a prefix, or
corrections of a typo (`did_you_mean`).

A word whose lexemes some published document holds matches as it is. Any other word
(it matches nothing as typed) is completed when it starts words of the vocabulary (at
least 3 letters: "cranio" finds "craniosacral", the most frequent completions first),
else corrected to the vocabulary's most similar word (pg_trgm's trigram similarity, at
least MIN_SIMILARITY; the more frequent word on a tie), else kept and matches nothing.
PostgreSQL and SQLite look candidates up with their own trigram index; the choice is made
here, so both correct alike.
"""

from __future__ import annotations

from directory.sql import vocabulary
from directory.text import Term, TextQuery, query_lexemes, query_words, similarity, words

MIN_PREFIX_CHARS = 3
MAX_COMPLETIONS = 20
MIN_CORRECTION_CHARS = 4
MIN_SIMILARITY = 0.3
CANDIDATES = 40


def resolve_query(q: str) -> tuple[TextQuery, str | None]:
    """The text query of `q` and, when a word was corrected, the query as corrected.

    Raises QueryTooLong / QueryTooManyWords (400). A `q` without any word (only
    punctuation) gives a query without terms, which matches nothing.
    """
    found = query_words(q)
    lexemes = {word: query_lexemes(word) for word in found}
    known = vocabulary.terms_known(item for items in lexemes.values() for item in items)
    terms = []
    for word in found:
        matched = tuple(item for item in lexemes[word] if item in known)
        terms.append(Term(word, matched, word) if matched else _unknown_term(word, lexemes[word]))
    query = TextQuery(tuple(terms))
    if not query.corrected:
        return query, None
    shown = {term.word: term.shown for term in terms}
    return query, " ".join(shown.get(word, word) for word in words(q))


def _unknown_term(word: str, lexemes: tuple[str, ...]) -> Term:
    completions = complete(word)
    if completions:
        return Term(word, tuple(lexeme for lexeme, _ in completions), word, expanded=True)
    corrected = correct(word)
    if corrected is not None:
        correction, correction_lexemes = corrected
        return Term(word, correction_lexemes, correction, corrected=True)
    return Term(word, lexemes, word)


def complete(prefix: str, *, limit: int = MAX_COMPLETIONS) -> list[tuple[str, str]]:
    """(lexeme, word) of the vocabulary's words starting with `prefix`, most frequent first."""
    if len(prefix) < MIN_PREFIX_CHARS:
        return []
    return [(lexeme, word) for lexeme, word, _ in vocabulary.terms_with_prefix(prefix, limit=limit)]


def correct(word: str) -> tuple[str, tuple[str, ...]] | None:
    """The vocabulary word most similar to `word` and its lexemes, or None."""
    if len(word) < MIN_CORRECTION_CHARS:
        return None
    candidates = vocabulary.terms_similar_candidates(word, limit=CANDIDATES)
    scored = [
        (similarity(word, candidate), documents, candidate, lexeme)
        for lexeme, candidate, documents in candidates
        if candidate != word
    ]
    scored = [row for row in scored if row[0] >= MIN_SIMILARITY]
    if not scored:
        return None
    best = max(scored, key=lambda row: (row[0], row[1], row[2]))[2]
    return best, tuple(sorted({row[3] for row in scored if row[2] == best}))
