"""Automatic flags: cheap text checks that point a moderator at what to look at.

They run once, at submission. A flag never decides anything by itself; every review
still waits for a moderator.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reviews.models import FlagCode

WORDLIST_PATH = Path(__file__).resolve().parent / "data" / "profanity.txt"

# Fewer meaningful characters than this reads as "no real review".
MIN_TEXT_CHARS = 20
# Shouting: enough letters to judge, and most of them capitals.
SHOUTING_MIN_LETTERS = 12
SHOUTING_UPPER_RATIO = 0.7

EMAIL_RE = re.compile(
    r"[\w.+-]+\s*(?:@|\(at\)|\[at\]|\{at\})\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\w-]+)+",
    re.IGNORECASE,
)
# A scheme, a www. host, or a bare domain with a common top-level domain.
LINK_RE = re.compile(
    r"\b(?:https?://|www\.)\S+"
    r"|\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*"
    r"\.(?:com|net|org|info|biz|io|co|me|app|de|at|ch|uk|fr|es|it|nl|eu|us|ly|gl|to)\b(?:/\S*)?",
    re.IGNORECASE,
)
# Runs of digits with the usual separators; judged by digit count below.
PHONE_CANDIDATE_RE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().\-/]{5,}\d(?![\w])")
# A calendar date is not a phone number ("12.05.2024", "2024-05-12").
DATE_RE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
PHONE_MIN_DIGITS = 7
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


@dataclass(frozen=True)
class Flag:
    code: str
    detail: str = ""


@cache
def profanity_words() -> frozenset[str]:
    lines = WORDLIST_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def _short(value: str) -> str:
    return value.strip()[:200]


def _find_phone(text: str) -> str | None:
    for match in PHONE_CANDIDATE_RE.finditer(text):
        candidate = match.group(0).strip()
        digits = sum(ch.isdigit() for ch in candidate)
        if digits < PHONE_MIN_DIGITS or DATE_RE.match(candidate):
            continue
        return candidate
    return None


def _find_profanity(text: str) -> str | None:
    words = profanity_words()
    for token in re.findall(r"[\w@$]+", text.lower()):
        if token in words or token.translate(LEET) in words:
            return token
    return None


def _is_shouting(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha() and ch.lower() != ch.upper()]
    if len(letters) < SHOUTING_MIN_LETTERS:
        return False
    upper = sum(ch.isupper() for ch in letters)
    return upper / len(letters) >= SHOUTING_UPPER_RATIO


def detect_flags(text: str) -> list[Flag]:
    """Every flag that applies to `text`, at most one per code, in a stable order."""
    flags: list[Flag] = []
    email = EMAIL_RE.search(text)
    if email:
        flags.append(Flag(FlagCode.EMAIL, _short(email.group(0))))
    # An e-mail address also looks like a domain; only look for links in the rest.
    without_emails = EMAIL_RE.sub(" ", text)
    link = LINK_RE.search(without_emails)
    if link:
        flags.append(Flag(FlagCode.LINK, _short(link.group(0))))
    phone = _find_phone(without_emails)
    if phone:
        flags.append(Flag(FlagCode.PHONE, _short(phone)))
    word = _find_profanity(text)
    if word:
        flags.append(Flag(FlagCode.PROFANITY, word))
    # Judge the tone on the prose alone; an address in lower case says nothing about it.
    if _is_shouting(LINK_RE.sub(" ", without_emails)):
        flags.append(Flag(FlagCode.SHOUTING))
    if len("".join(text.split())) < MIN_TEXT_CHARS:
        flags.append(Flag(FlagCode.TOO_SHORT))
    return flags
