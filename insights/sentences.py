"""Splitting proposal text into sentences with their positions, and a cheap English test.

Pure Python (no Django). Positions are character offsets into the field as typed, so that the
panel can quote the sentence and mark the phrase that fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


# A boundary: sentence-final punctuation, optional closing quotes/brackets, whitespace, then
# something that can start a sentence. Decimals ("2.5") and "e.g. the" do not qualify.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATION_END = re.compile(
    r"(?:\be\.g|\bi\.e|\bet al|\bvs|\bfig|\beq|\bcf|\bdr|\bprof|\bno|\bapprox|\betc|"
    r"\bsec|\btab|\bresp|\bca|(?-i:\b[A-Z]))\.$",
    re.IGNORECASE,
)
_LINE = re.compile(r"[^\n\r]+")
# "1. Problem", "b. Data", "iv. Demo": a list marker at the start of a line is not a sentence.
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}|[a-z]|[ivx]{1,5})\.$", re.IGNORECASE)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text``: each line is split at sentence boundaries; blank lines vanish.

    Outlines are lists, so a line break always ends a sentence.
    """
    sentences: list[Sentence] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for boundary in _BOUNDARY.finditer(text, line.start(), line.end()):
            head = text[start : boundary.start() + 1]
            if _ABBREVIATION_END.search(head) or _LIST_MARKER.match(head):
                continue
            _append(sentences, text, start, boundary.start() + 1)
            start = boundary.end()
        _append(sentences, text, start, line.end())
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(start, end, text[start:end]))


# The most frequent English function words. In English prose about a fifth or more of the
# words are among them (in the ICLR 2017 abstracts never below 23%); in German, French,
# Spanish or transliterated text far fewer (docs/insights.md).
ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "a",
        "in",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "we",
        "are",
        "this",
        "be",
        "it",
        "from",
        "an",
        "at",
        "or",
        "which",
        "our",
        "not",
        "can",
        "these",
        "their",
        "how",
        "its",
        "has",
        "have",
        "was",
        "were",
        "will",
        "into",
        "than",
        "using",
        "use",
        "based",
        "both",
        "such",
        "also",
        "more",
        "when",
        "while",
        "what",
        "who",
        "you",
        "they",
        "each",
        "only",
        "over",
        "between",
    ]
)
MIN_LETTERS_TO_JUDGE = 60
MIN_WORDS_TO_JUDGE = 12
MIN_FUNCTION_WORD_SHARE = 0.10
MIN_LATIN_LETTER_SHARE = 0.7
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")


def looks_english(text: str) -> bool | None:
    """True/False when the text is long enough to tell; None for short or empty text."""
    letters = sum(1 for c in text if c.isalpha())
    if letters < MIN_LETTERS_TO_JUDGE:
        return None
    latin = sum(1 for c in text if c.isalpha() and c.isascii())
    if latin / letters < MIN_LATIN_LETTER_SHARE:
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < MIN_WORDS_TO_JUDGE:
        return None
    share = sum(1 for w in words if w in ENGLISH_FUNCTION_WORDS) / len(words)
    return share >= MIN_FUNCTION_WORD_SHARE


def word_count(text: str) -> int:
    return len(text.split())
