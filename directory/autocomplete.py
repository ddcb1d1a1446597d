"""Suggestions while a user types: practitioners by name, modalities, places.

`suggest("cran", near=point)` gives up to MAX_SUGGESTIONS suggestions, each with the
search parameters to run next (`params`). Every typed word but the last must match as it
is (in any case and accent), the last is a prefix; when nothing starts with it, a typo is
forgiven (trigram similarity, as `directory.search_text` corrects). Places come from the
offline gazetteer (most populous first; nearest first with a point), practitioners from
the text index (nearest first within NEAR_KM of a point).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from directory.gazetteer import gazetteer, normalise
from directory.geo import Point, great_circle_km
from directory.models import Modality
from directory.search_text import MIN_PREFIX_CHARS, MIN_SIMILARITY, complete, correct
from directory.text import Term, TextQuery, query_words, similarity, words

MAX_SUGGESTIONS = 10
PER_KIND = 4
# Completions of the last word a practitioner's name may start with (most frequent first).
COMPLETIONS = 50
NEAR_KM = 25.0
MIN_PLACE_CHARS = 2
# rapidfuzz's ratio (0-100) a mistyped place name needs.
PLACE_TYPO_SCORE = 80


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "practitioner", "modality", "place"
    label: str
    detail: str
    params: dict
    slug: str | None = None


def suggest(
    q: str, *, near: Point | None, country: str | None = None, limit: int = MAX_SUGGESTIONS
) -> list[Suggestion]:
    query_words(q)  # the search's limits: 400 over 200 characters or 8 words
    typed = words(q)
    if not typed:
        return []
    kinds = [_modalities(typed), _places(q, near, country), _practitioners(typed, near)]
    # Round-robin over the kinds, so that every kind with a match is offered.
    result: list[Suggestion] = []
    while len(result) < limit and any(kinds):
        for found in kinds:
            if found and len(result) < limit:
                result.append(found.pop(0))
    return result


def _starts(typed: list[str], name_words: list[str]) -> bool:
    """Every typed word is a name word, the last a prefix of one."""
    *whole, last = typed
    return all(w in name_words for w in whole) and any(n.startswith(last) for n in name_words)


def _modalities(typed: list[str]) -> list[Suggestion]:
    modalities = [(m.slug, m.name, words(m.name)) for m in Modality.objects.order_by("name")]
    found = [m for m in modalities if _starts(typed, m[2])]
    if not found and len(typed[-1]) >= 4:
        scored = [
            (max(similarity(typed[-1], word) for word in m[2]), m)
            for m in modalities
            if all(w in m[2] for w in typed[:-1])
        ]
        scored.sort(key=lambda item: (-item[0], item[1][1]))
        found = [m for score, m in scored if score >= MIN_SIMILARITY]
    return [
        Suggestion("modality", name, "", {"modality": slug}) for slug, name, _ in found[:PER_KIND]
    ]


@cache
def _place_names() -> tuple[list[str], list[int]]:
    """The gazetteer's normalised main names, sorted, with the index of each place."""
    entries = sorted((normalise(p.name), i) for i, p in enumerate(gazetteer().places))
    return [name for name, _ in entries], [i for _, i in entries]


def _places(q: str, near: Point | None, country: str | None) -> list[Suggestion]:
    text = normalise(q)
    if len(text) < MIN_PLACE_CHARS:
        return []
    names, indexes = _place_names()
    start = bisect.bisect_left(names, text)
    end = bisect.bisect_left(names, text[:-1] + chr(ord(text[-1]) + 1))
    candidates = indexes[start:end]
    if not candidates and len(text) >= 4:
        # A typo: close names among those with the same first letter.
        lo = bisect.bisect_left(names, text[0])
        hi = bisect.bisect_left(names, chr(ord(text[0]) + 1))
        close = process.extract(
            text,
            names[lo:hi],
            scorer=fuzz.ratio,
            processor=None,
            limit=PER_KIND,
            score_cutoff=PLACE_TYPO_SCORE,
        )
        candidates = [indexes[lo + position] for _, _, position in close]
    places = [gazetteer().places[i] for i in candidates]
    if country is not None:
        places = [p for p in places if p.country == country]
    if near is not None:
        places.sort(key=lambda p: great_circle_km(near, Point(p.latitude, p.longitude)))
    else:
        places.sort(key=lambda p: -p.population)
    return [
        Suggestion("place", p.name, p.country, {"near": f"{p.latitude},{p.longitude}"})
        for p in places[:PER_KIND]
    ]


def _practitioners(typed: list[str], near: Point | None) -> list[Suggestion]:
    from directory.search import practitioner_name_matches

    *whole, last = typed
    terms = [Term(w, (w,), w) for w in whole]
    if len(last) >= MIN_PREFIX_CHARS:
        # The vocabulary's completions as whole lexemes: the index then looks up known
        # words (a prefix scan, on PostgreSQL, is planned blind to how rare it is).
        lexemes = tuple(dict.fromkeys(lexeme for lexeme, _ in complete(last, limit=COMPLETIONS)))
        last_term = Term(last, lexemes, last) if lexemes else None
    elif whole:
        last_term = Term(last, (last,), last, prefix=True)
    else:
        return []
    profiles = []
    if last_term is not None:
        query = TextQuery((*terms, last_term), names_only=True)
        profiles = practitioner_name_matches(query, near=near, radius_km=NEAR_KM, limit=PER_KIND)
    if not profiles:
        corrected = correct(last)
        if corrected is not None:
            fixed = Term(last, corrected[1], corrected[0], corrected=True)
            query = TextQuery((*terms, fixed), names_only=True)
            profiles = practitioner_name_matches(
                query, near=near, radius_km=NEAR_KM, limit=PER_KIND
            )
    return [
        Suggestion(
            "practitioner",
            profile.display_name,
            ", ".join(dict.fromkeys(loc.city for loc in profile.active_locations if loc.city)),
            {"q": profile.display_name},
            slug=profile.slug,
        )
        for profile in profiles
    ]
