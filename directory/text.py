"""Text analysis of the search: the one analyzer both databases' indexes and queries use.

A document is a practitioner's name, modalities, headline and bio; each field is cut
into words (runs of letters and digits, case- and accent-folded), stop words dropped,
and every word reduced to its lexemes with the Snowball stemmers of the profile's
languages (English and/or German; unchanged words otherwise). Names are never stemmed;
modality names are English. PostgreSQL stores the lexemes as a weighted `tsvector`
(name A, modalities B, headline C, bio D), SQLite as the four columns of an FTS5 table:
because the analysis runs here, both databases match and rank exactly alike.

A query word matches a document holding any of its lexemes under any language, so
"massages" finds "Massage therapy" and "Schmerzen" finds "Schmerz". Punctuation never
means anything to the index: quotes, `*`, `:`, `%`, `_`, parentheses and words such as
NEAR or OR are taken as they are (separators, or plain words).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from directory.errors import QueryTooLong, QueryTooManyWords

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
# Longer runs of letters are not words anyone searches for (and keep lexemes small).
MAX_WORD_CHARS = 48

SIMPLE, ENGLISH, GERMAN = "simple", "english", "german"
#: Stemming configuration per ISO 639-1 code; other languages index words unchanged.
LANGUAGE_CONFIGS = {"en": ENGLISH, "de": GERMAN}
QUERY_CONFIGS = (SIMPLE, ENGLISH, GERMAN)

#: (field, weight label, weight): how much a query word counts where it matches best.
FIELDS = (("name", "A", 1.0), ("modalities", "B", 0.4), ("headline", "C", 0.2), ("bio", "D", 0.1))
WEIGHT_OF_LABEL = {label: weight for _, label, weight in FIELDS}

# Function words of English and German that say nothing about a practitioner.
_ENGLISH_STOP_WORDS = (
    "a an and are as at be but by for from has have i in is it its me my of on or our so"
    " that the their this to was we were with you your"
)
_GERMAN_STOP_WORDS = (
    "aber als am an auch auf aus bei bin bis das dass dem den der des die du ein eine einem"
    " einen einer eines er es fur ich ihr im in ist mit mich mir nach nicht noch oder sie"
    " sind und uns von vor war wie wir zu zum zur"
)
STOP_WORDS = frozenset(f"{_ENGLISH_STOP_WORDS} {_GERMAN_STOP_WORDS}".split())

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Case- and accent-free text: "Zürich" and "ZURICH" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order (too long ones dropped)."""
    return [w for w in _WORD.findall(fold(text or "")) if len(w) <= MAX_WORD_CHARS]


@lru_cache(maxsize=4)
def _stemmer(config: str):
    return Stemmer.Stemmer(config)


@lru_cache(maxsize=200_000)
def lexeme(word: str, config: str) -> str:
    """The index form of a folded word under a configuration."""
    if config == SIMPLE:
        return word
    return _stemmer(config).stemWord(word)


def query_lexemes(word: str) -> tuple[str, ...]:
    """Every lexeme a query word may have in a document (one per configuration)."""
    return tuple(dict.fromkeys(lexeme(word, config) for config in QUERY_CONFIGS))


def configs_for(languages: Iterable[str]) -> tuple[str, ...]:
    configs = tuple(dict.fromkeys(LANGUAGE_CONFIGS[c] for c in languages if c in LANGUAGE_CONFIGS))
    return configs or (SIMPLE,)


@dataclass(frozen=True)
class Document:
    """A practitioner's analysed text: per field its distinct lexemes, in first-seen order,
    and for each lexeme the first word that gave it (what a correction shows)."""

    fields: dict[str, tuple[str, ...]]
    words: dict[str, str]

    def lexemes(self) -> set[str]:
        return set(self.words)

    def field_text(self, field: str) -> str:
        """A field's lexemes as one space-separated string (SQLite's FTS5 columns)."""
        return " ".join(self.fields[field])

    def tsvector(self) -> str:
        """PostgreSQL's `tsvector` input: every lexeme with one position per field it is in,
        weighted by the field (positions 1-4 stand for the fields; the rank needs no other)."""
        labels: dict[str, list[str]] = {}
        for position, (field, label, _) in enumerate(FIELDS, start=1):
            for item in self.fields[field]:
                labels.setdefault(item, []).append(f"{position}{label}")
        return " ".join(f"{_quote(item)}:{','.join(marks)}" for item, marks in labels.items())


def _quote(item: str) -> str:
    return "'" + item.replace("\\", "\\\\").replace("'", "''") + "'"


def analyse(
    *, name: str, modalities: Iterable[str], headline: str, bio: str, languages: Iterable[str]
) -> Document:
    """The document of a profile (`modalities` are modality names)."""
    configs = configs_for(languages)
    texts = {
        "name": ((name, (SIMPLE,)),),
        "modalities": tuple((m, (ENGLISH,)) for m in modalities),
        "headline": ((headline, configs),),
        "bio": ((bio, configs),),
    }
    fields: dict[str, tuple[str, ...]] = {}
    surface: dict[str, str] = {}
    for field, _, _ in FIELDS:
        found: dict[str, None] = {}
        for text, field_configs in texts[field]:
            for word in words(text):
                if field != "name" and word in STOP_WORDS:
                    continue
                for config in field_configs:
                    item = lexeme(word, config)
                    found.setdefault(item)
                    surface.setdefault(item, word)
        fields[field] = tuple(found)
    return Document(fields, surface)


# --- Queries --------------------------------------------------------------------


def query_words(q: str) -> list[str]:
    """The words a query searches for, stop words dropped unless there is nothing else.

    Raises QueryTooLong over MAX_QUERY_CHARS characters and QueryTooManyWords over
    MAX_QUERY_WORDS words (counted before stop words are dropped).
    """
    if len(q) > MAX_QUERY_CHARS:
        raise QueryTooLong(
            f"`q` has at most {MAX_QUERY_CHARS} characters.",
            extra={"q": [f"Ensure this field has no more than {MAX_QUERY_CHARS} characters."]},
        )
    found = words(q)
    if len(found) > MAX_QUERY_WORDS:
        raise QueryTooManyWords(
            f"`q` has at most {MAX_QUERY_WORDS} words.",
            extra={"q": [f"Search for at most {MAX_QUERY_WORDS} words."]},
        )
    kept = [w for w in found if w not in STOP_WORDS]
    return list(dict.fromkeys(kept or found))


@dataclass(frozen=True)
class Term:
    """One query word as the index matches it: any of `lexemes`.

    `word` is what was typed; `shown` what it was taken as (a correction's word, or the
    typed one). A prefix the index knows only as the start of longer words matches them
    (`expanded`).
    """

    word: str
    lexemes: tuple[str, ...]
    shown: str
    corrected: bool = False
    expanded: bool = False
    #: Matches every lexeme starting with one of `lexemes` (autocomplete's last word).
    prefix: bool = False


@dataclass(frozen=True)
class TextQuery:
    terms: tuple[Term, ...]
    #: Matches the names alone (autocomplete's practitioners).
    names_only: bool = False

    @property
    def corrected(self) -> bool:
        return any(term.corrected for term in self.terms)

    def did_you_mean(self) -> str:
        return " ".join(term.shown for term in self.terms)

    def tsquery(self, *, label: str = "") -> str:
        """PostgreSQL `tsquery` input: every term (AND), any of its lexemes (OR); with a
        weight label, only lexemes of that field match."""
        label = "A" if self.names_only else label
        groups = []
        for term in self.terms:
            marks = ("*" if term.prefix else "") + label
            suffix = f":{marks}" if marks else ""
            groups.append("(" + " | ".join(_quote(item) + suffix for item in term.lexemes) + ")")
        return " & ".join(groups)

    def fts5_match(self) -> str:
        """SQLite FTS5 MATCH input: the same expression, every lexeme a quoted string."""
        groups = []
        for term in self.terms:
            star = "*" if term.prefix else ""
            groups.append("(" + " OR ".join(f'"{item}"{star}' for item in term.lexemes) + ")")
        match = " AND ".join(groups)
        return f"{{name}} : ({match})" if self.names_only else match


# --- Trigram similarity (pg_trgm's, so that SQLite corrects as PostgreSQL does) ---------


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's `similarity`: shared trigrams over all trigrams of the two words."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta or tb else 0.0
