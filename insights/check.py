"""The proposal check: advice for a sponsor while they write. Pure Python + scikit-learn.

Three parts, each explained to the sponsor:

- *Research, not marketing*: every sentence of the title, abstract and outline goes through the
  lexicon (insights/lexicon.py) and the sentence model (insights/sentence_model.py); a flag
  says which of the two fired and why.
- *Relevance to the conference*: TF-IDF cosine between the text and each topic's name and
  description, with the shared terms that make up the similarity; ticked topics that share
  no distinctive term with the text are called out.
- *Informative*: completeness hints (what attendees learn; method, data, results, demo;
  prerequisites of a workshop; timings) and lengths against the format's norms (chosen and
  explained in docs/insights.md).

Nothing here knows about reviews, decisions or other proposals: the input is the text being
typed and the conference's public topics, so nothing else can leak into the panel.
Importable without Django.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from insights.lexicon import CATEGORIES, Category, LexiconHit, lexicon_hits
from insights.sentence_model import (
    ICLR_SUBMISSIONS,
    MIN_WORDS,
    THRESHOLD,
    iclr_part,
    sales_copy_model,
)
from insights.sentences import looks_english, split_sentences, word_count

# The proposal form's limits (expo.proposals.models.Proposal; a test keeps them equal). Text
# beyond a limit is not checked: the form will refuse it anyway, and the cap keeps every check
# fast whatever is posted.
FIELD_LIMITS: dict[str, int] = {"title": 200, "abstract": 3000, "outline": 5000}
FIELD_LABELS: dict[str, str] = {"title": "Title", "abstract": "Abstract", "outline": "Outline"}
FORMAT_MINUTES: dict[str, int] = {"talk": 60, "workshop": 240}
MAX_FLAGS_SHOWN = 12
EXCERPT_CHARS = 240
TOP_TOPICS = 3
MATCHED_TERMS_SHOWN = 5


@dataclass(frozen=True)
class TopicText:
    id: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class ProposalText:
    title: str = ""
    abstract: str = ""
    outline: str = ""
    format: str = ""
    ticked_topic_ids: tuple[int, ...] = ()

    def field(self, name: str) -> str:
        value: str = getattr(self, name)
        return value


# ---------------------------------------------------------------------------------------------
# Research, not marketing


@dataclass(frozen=True)
class Segment:
    text: str
    rule: str = ""
    why: str = ""

    @property
    def marked(self) -> bool:
        return bool(self.rule)


@dataclass(frozen=True)
class FiredRule:
    rule: str
    phrase: str
    category: Category


@dataclass(frozen=True)
class SalesFlag:
    field: str
    sentence_number: int
    segments: tuple[Segment, ...]
    rules: tuple[FiredRule, ...]
    model_p: float
    model_fired: bool
    model_terms: tuple[str, ...]
    model_applies: bool

    @property
    def field_label(self) -> str:
        return FIELD_LABELS[self.field]

    @property
    def lexicon_fired(self) -> bool:
        return bool(self.rules)


def _segments(sentence: str, hits: Sequence[LexiconHit]) -> tuple[Segment, ...]:
    """The sentence cut into plain and marked pieces, clipped to about EXCERPT_CHARS."""
    spans = _without_overlaps(hits)
    lo, hi = 0, len(sentence)
    if hi > EXCERPT_CHARS:
        centre = spans[0].start if spans else 0
        lo = max(0, min(centre - EXCERPT_CHARS // 3, hi - EXCERPT_CHARS))
        hi = lo + EXCERPT_CHARS
    pieces: list[Segment] = []
    if lo > 0:
        pieces.append(Segment("…"))
    cursor = lo
    for hit in spans:
        if hit.end <= lo or hit.start >= hi:
            continue
        start, end = max(hit.start, lo), min(hit.end, hi)
        if start > cursor:
            pieces.append(Segment(sentence[cursor:start]))
        pieces.append(Segment(sentence[start:end], hit.rule, CATEGORIES[hit.category].label))
        cursor = end
    if cursor < hi:
        pieces.append(Segment(sentence[cursor:hi]))
    if hi < len(sentence):
        pieces.append(Segment("…"))
    return tuple(pieces)


def _without_overlaps(hits: Sequence[LexiconHit]) -> list[LexiconHit]:
    """Hits sorted by position, dropping any that overlaps an earlier (or longer) one, so that
    "industry-leading platform" is one finding, not two."""
    kept: list[LexiconHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def sales_flags(text: ProposalText, *, use_model: bool = True) -> list[SalesFlag]:
    """Sentences of the title, abstract and outline that read as sales copy, in reading order."""
    located: list[tuple[str, int, str]] = [
        (name, number, sentence.text)
        for name in ("title", "abstract", "outline")
        for number, sentence in enumerate(split_sentences(text.field(name)), start=1)
    ]
    if not located:
        return []
    trained = sales_copy_model().model if use_model else None
    verdicts = trained.verdicts([s for _, _, s in located]) if trained else []
    flags = []
    for index, (name, number, sentence) in enumerate(located):
        hits = _without_overlaps(lexicon_hits(sentence))
        verdict = verdicts[index] if verdicts else None
        if not hits and not (verdict and verdict.fired):
            continue
        rules: dict[str, FiredRule] = {}
        for hit in hits:
            rules.setdefault(hit.rule, FiredRule(hit.rule, hit.phrase, CATEGORIES[hit.category]))
        flags.append(
            SalesFlag(
                field=name,
                sentence_number=number,
                segments=_segments(sentence, hits),
                rules=tuple(rules.values()),
                model_p=verdict.p if verdict else 0.0,
                model_fired=bool(verdict and verdict.fired),
                model_terms=verdict.terms if verdict else (),
                model_applies=bool(verdict and verdict.applies),
            )
        )
    return flags


# ---------------------------------------------------------------------------------------------
# Relevance to the conference's topics

# Words that say nothing about which topic a text is on, in this domain.
DOMAIN_STOP_WORDS = frozenset(
    [
        "learning",
        "learn",
        "learned",
        "model",
        "models",
        "modelling",
        "modeling",
        "method",
        "methods",
        "approach",
        "approaches",
        "using",
        "use",
        "used",
        "based",
        "new",
        "novel",
        "paper",
        "propose",
        "proposed",
        "present",
        "presents",
        "show",
        "shows",
        "talk",
        "workshop",
        "session",
        "attendee",
        "attendees",
        "participant",
        "participants",
        "will",
        "also",
        "work",
        "results",
        "result",
        "problem",
        "problems",
        "task",
        "tasks",
        "system",
        "systems",
        "data",
    ]
)
_TOPIC_TOKEN = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")


def stem(word: str) -> str:
    """A light suffix stripper so that 'images'/'image' and 'generalisation'/'generalization'
    meet; both sides of every comparison go through it, so over-stripping is harmless."""
    word = re.sub(r"is(ation|ations|ed|es|ing|e)$", r"iz\1", word)
    for suffix, replacement, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ings", "", 7),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "e", 5),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= min_len:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: len(word) - len(suffix)] + replacement
    return word


def topic_terms(text: str) -> list[str]:
    """Stemmed content words of ``text`` (the analyser of the topic similarity)."""
    return [
        stem(token)
        for token in _TOPIC_TOKEN.findall(text.lower())
        if token not in ENGLISH_STOP_WORDS and token not in DOMAIN_STOP_WORDS
    ]


@dataclass(frozen=True)
class MatchedTerm:
    word: str
    related: bool  # from related_terms(), not from the topic's own name or description


@dataclass(frozen=True)
class TopicMatch:
    topic: TopicText
    similarity: float
    matched_terms: tuple[MatchedTerm, ...]
    ticked: bool

    @property
    def supported(self) -> bool:
        return self.similarity >= SUPPORT_MIN_SIMILARITY and bool(self.matched_terms)


# A ticked topic counts as supported when the text shares distinctive words with its name,
# description and related terms to at least this cosine (compared on held-out ICLR 2017 papers
# with the demo topics: docs/insights.md).
SUPPORT_MIN_SIMILARITY = 0.02


def topic_matches(text: ProposalText, topics: Sequence[TopicText]) -> list[TopicMatch]:
    """Every topic with its similarity to the text, most similar first."""
    document = "\n".join((text.title, text.abstract, text.outline))
    if not topics or not topic_terms(document):
        return [TopicMatch(t, 0.0, (), t.id in text.ticked_topic_ids) for t in topics]
    topic_documents = [
        f"{t.name}. {t.name}. {t.description} " + " ".join(related_terms(t.name)) for t in topics
    ]
    vectorizer = TfidfVectorizer(analyzer=topic_terms, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([*topic_documents, document]).tocsr()
    except ValueError:  # no term at all (topics without words)
        return [TopicMatch(t, 0.0, (), t.id in text.ticked_topic_ids) for t in topics]
    names = vectorizer.get_feature_names_out()
    surface = _surface_forms(document)
    proposal = matrix[len(topics)].toarray().ravel()
    matches = []
    for row, topic in enumerate(topics):
        weights = matrix[row].toarray().ravel() * proposal
        order = np.argsort(-weights)
        own = set(topic_terms(f"{topic.name} {topic.description}"))
        terms = tuple(
            MatchedTerm(surface.get(str(names[i]), str(names[i])), str(names[i]) not in own)
            for i in order[:MATCHED_TERMS_SHOWN]
            if weights[i] > 0
        )
        matches.append(
            TopicMatch(topic, float(weights.sum()), terms, topic.id in text.ticked_topic_ids)
        )
    matches.sort(key=lambda m: (-m.similarity, m.topic.name))
    return matches


@dataclass(frozen=True)
class _Background:
    documents: tuple[frozenset[str], ...]
    counts: Counter[str]  # in how many documents each stem occurs


@functools.cache
def _background() -> _Background:
    """Stemmed term sets of the ICLR 2017 titles and abstracts in the model's training part."""
    with ICLR_SUBMISSIONS.open(encoding="utf-8", newline="") as handle:
        documents = tuple(
            frozenset(topic_terms(f"{row.get('Title') or ''}. {row.get('Abstract') or ''}"))
            for row in csv.DictReader(handle)
            if row.get("PID") and iclr_part(row["PID"]) == "train"
        )
    return _Background(documents, Counter(t for terms in documents for t in terms))


RELATED_TERMS = 8
RELATED_MIN_DOCUMENTS = 5
RELATED_MIN_COUNT = 5
RELATED_MIN_LIFT = 3.0
RELATED_MAX_SHARE = 0.10


@functools.lru_cache(maxsize=512)
def related_terms(name: str) -> tuple[str, ...]:
    """Stems that past research abstracts mentioning the topic's name use unusually often.

    A topic called "Reinforcement learning" shares no word with "we learn a policy that
    maximises reward", yet abstracts that say "reinforcement" say "policy", "agent" and
    "reward" far more often than others. A term qualifies when it occurs in at least
    RELATED_MIN_COUNT of those abstracts, at least RELATED_MIN_LIFT times its base rate, and
    in at most RELATED_MAX_SHARE of all abstracts (so generic words stay out). The settings
    were compared on held-out ICLR papers (docs/insights.md). Topics whose name occurs in
    fewer than RELATED_MIN_DOCUMENTS abstracts get none.
    """
    wanted = set(topic_terms(name))
    if not wanted:
        return ()
    background = _background()
    inside = [terms for terms in background.documents if wanted <= terms]
    if len(inside) < RELATED_MIN_DOCUMENTS:
        return ()
    in_counts: Counter[str] = Counter(t for terms in inside for t in terms)
    scored = []
    for term, count in in_counts.items():
        share = background.counts[term] / len(background.documents)
        if term in wanted or count < RELATED_MIN_COUNT or share > RELATED_MAX_SHARE:
            continue
        lift = (count / len(inside)) / share
        if lift >= RELATED_MIN_LIFT:
            scored.append((count * float(np.log(lift)), term))
    scored.sort(reverse=True)
    return tuple(term for _, term in scored[:RELATED_TERMS])


def _surface_forms(document: str) -> dict[str, str]:
    """The most frequent spelling in the sponsor's text of each stem, to show their words."""
    counts: dict[str, Counter[str]] = {}
    for token in _TOPIC_TOKEN.findall(document.lower()):
        counts.setdefault(stem(token), Counter())[token] += 1
    return {term: forms.most_common(1)[0][0] for term, forms in counts.items()}


# ---------------------------------------------------------------------------------------------
# Informative: completeness and length


@dataclass(frozen=True)
class Hint:
    key: str
    ok: bool
    title: str
    message: str


@dataclass(frozen=True)
class LengthNorm:
    min_words: int
    max_words: int
    min_items: int = 0
    max_items: int = 0


# Chosen norms (docs/insights.md explains them): ICLR 2017 abstracts run 88–243 words between
# their 5th and 95th percentiles; an outline item per 5–15 minutes suits a 60-minute talk,
# one per 12–48 minutes a 240-minute workshop.
TITLE_NORM = LengthNorm(3, 20)
ABSTRACT_NORM = LengthNorm(80, 300)
OUTLINE_NORMS: dict[str, LengthNorm] = {
    "talk": LengthNorm(30, 300, min_items=3, max_items=12),
    "workshop": LengthNorm(60, 700, min_items=5, max_items=20),
}

LEARN_PATTERN = re.compile(
    r"\b(?:learn|learns|you will|you['’]ll|attendees will|participants will|audience will|"
    r"take-?aways?|take away|walk away|leave with|be able to|how to|outcomes?)\b",
    re.IGNORECASE,
)
SHOWN_PARTS: tuple[tuple[str, str, str, re.Pattern[str]], ...] = (
    (
        "method",
        "Method",
        "say how it works: the method, model or system design",
        re.compile(
            r"\b(?:method|approach|algorithm|architecture|model|technique|framework|"
            r"estimator|design|pipeline|we (?:propose|introduce|present|describe))\w*",
            re.IGNORECASE,
        ),
    ),
    (
        "data",
        "Data",
        "say which data it uses or was evaluated on",
        re.compile(
            r"\b(?:data|dataset|datasets|benchmark|corpus|corpora|logs|samples|images|"
            r"recordings|annotat\w*|collected|real-world|traces)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "results",
        "Results",
        "say what was found, with numbers where you have them",
        re.compile(
            r"\b(?:results?|evaluat\w*|experiments?|accuracy|measur\w*|compar\w*|improv\w*|"
            r"outperform\w*|ablations?|baselines?|findings?|we (?:show|find|found|report))\b|"
            r"\d(?:[\d.,]*)\s?%",
            re.IGNORECASE,
        ),
    ),
    (
        "demo",
        "Demo or hands-on",
        "say what attendees will see running (a demo, notebook or exercise)",
        re.compile(
            r"\b(?:demo|demos|demonstrat\w*|live|hands-on|notebooks?|walk-?through|tutorial|"
            r"exercises?|open[- ]source|repository|github|code)\b",
            re.IGNORECASE,
        ),
    ),
)
PREREQUISITES_PATTERN = re.compile(
    r"\b(?:prerequisites?|pre-requisites?|requirements?|required|assumes?|assumed|"
    r"familiar(?:ity)? with|background in|experience (?:with|in)|you should (?:know|have|bring)|"
    r"bring (?:a|your) (?:own )?laptop|laptop|no prior|level:?\s*(?:beginner|intermediate|"
    r"advanced)|(?:beginners?|intermediate|advanced) (?:level|audience|practitioners))\b",
    re.IGNORECASE,
)
_MINUTES = re.compile(r"\b(\d{1,3})\s*(?:min|mins|minutes)\b", re.IGNORECASE)
_HOURS = re.compile(r"\b(\d(?:\.\d)?)\s*(?:h|hr|hrs|hours?)\b", re.IGNORECASE)


def outline_items(outline: str) -> int:
    """Items of the agenda: its non-empty lines, or its sentences when written as one line."""
    lines = [line for line in outline.splitlines() if line.strip()]
    if len(lines) > 1:
        return len(lines)
    return len(split_sentences(outline))


def outline_minutes(outline: str) -> int:
    """Minutes the outline's timings add up to ("(20 min)", "1.5 h"), 0 when it gives none."""
    minutes = sum(int(m) for m in _MINUTES.findall(outline))
    minutes += sum(round(float(h) * 60) for h in _HOURS.findall(outline))
    return minutes


def _length_hint(key: str, title: str, words: int, norm: LengthNorm, what: str) -> Hint:
    if words == 0:
        return Hint(key, False, title, f"The {what} is empty.")
    if words < norm.min_words:
        return Hint(
            key,
            False,
            title,
            f"{words} words; {what}s here usually run {norm.min_words}–{norm.max_words}. "
            "A few more concrete sentences would help the reader.",
        )
    if words > norm.max_words:
        return Hint(
            key,
            False,
            title,
            f"{words} words; {what}s here usually run {norm.min_words}–{norm.max_words}. "
            "Consider cutting what does not help a reader decide.",
        )
    return Hint(key, True, title, f"{words} words, within {norm.min_words}–{norm.max_words}.")


def completeness_hints(text: ProposalText, *, english: bool | None) -> list[Hint]:
    """Completeness and length hints, in the order the panel shows them."""
    hints: list[Hint] = []
    both = f"{text.abstract}\n{text.outline}"
    fmt = text.format if text.format in FORMAT_MINUTES else ""
    if english is False:
        hints.append(
            Hint(
                "content",
                False,
                "Content hints",
                "Not checked: the text does not look like English, and these hints look for "
                "English words.",
            )
        )
    elif text.outline.strip() or text.abstract.strip():
        in_outline = bool(LEARN_PATTERN.search(text.outline))
        in_abstract = bool(LEARN_PATTERN.search(text.abstract))
        if in_outline:
            learn = Hint("learn", True, "What attendees learn", "The outline says it.")
        elif in_abstract:
            learn = Hint(
                "learn",
                True,
                "What attendees learn",
                "The abstract says it; repeating it in the outline helps.",
            )
        else:
            learn = Hint(
                "learn",
                False,
                "What attendees learn",
                "Neither the abstract nor the outline says what attendees will learn or take "
                "away (e.g. 'Attendees will learn how to …').",
            )
        hints.append(learn)
        found = [label for key, label, _, pattern in SHOWN_PARTS if pattern.search(both)]
        missing = [
            advice for key, label, advice, pattern in SHOWN_PARTS if not pattern.search(both)
        ]
        message = "Mentions: " + (
            ", ".join(found) if found else "none of method, data, results, demo"
        )
        if missing:
            message += ". Missing: " + "; ".join(missing) + "."
        else:
            message += "."
        hints.append(Hint("shown", not missing, "What is shown", message))
        if fmt == "workshop":
            if PREREQUISITES_PATTERN.search(both):
                hints.append(
                    Hint("prerequisites", True, "Prerequisites", "The workshop states them.")
                )
            else:
                hints.append(
                    Hint(
                        "prerequisites",
                        False,
                        "Prerequisites",
                        "Say what participants need to know and bring (e.g. 'Prerequisites: "
                        "Python and basic statistics; bring a laptop').",
                    )
                )
    if not fmt:
        hints.append(
            Hint(
                "format",
                False,
                "Format",
                "Choose a format (talk/demo or workshop) to compare lengths with its norms.",
            )
        )
    hints.append(
        _length_hint("title_length", "Title length", word_count(text.title), TITLE_NORM, "title")
    )
    hints.append(
        _length_hint(
            "abstract_length",
            "Abstract length",
            word_count(text.abstract),
            ABSTRACT_NORM,
            "abstract",
        )
    )
    norm = OUTLINE_NORMS[fmt or "talk"]
    items = outline_items(text.outline)
    outline_hint = _length_hint(
        "outline_length", "Outline length", word_count(text.outline), norm, "outline"
    )
    if outline_hint.ok and fmt and not norm.min_items <= items <= norm.max_items:
        outline_hint = Hint(
            "outline_length",
            False,
            "Outline length",
            f"{items} items; a {FORMAT_MINUTES[fmt]}-minute slot usually has "
            f"{norm.min_items}–{norm.max_items} (one item per line).",
        )
    hints.append(outline_hint)
    if fmt and text.outline.strip():
        minutes = outline_minutes(text.outline)
        slot = FORMAT_MINUTES[fmt]
        if minutes > slot:
            hints.append(
                Hint(
                    "timings",
                    False,
                    "Timings",
                    f"The outline's timings add up to {minutes} minutes; the slot is {slot}.",
                )
            )
        elif minutes == 0 and fmt == "workshop":
            hints.append(
                Hint(
                    "timings",
                    False,
                    "Timings",
                    "Give rough timings per part (e.g. '(45 min)'): 240 minutes need a plan.",
                )
            )
        elif minutes:
            hints.append(
                Hint("timings", True, "Timings", f"{minutes} of {slot} minutes are planned.")
            )
    return hints


# ---------------------------------------------------------------------------------------------
# The whole check


@dataclass(frozen=True)
class Note:
    message: str


@dataclass
class CheckReport:
    empty: bool
    english: bool | None
    flags: list[SalesFlag] = field(default_factory=list)
    flags_hidden: int = 0
    sentences_checked: int = 0
    top_topics: list[TopicMatch] = field(default_factory=list)
    unsupported_ticked: list[TopicMatch] = field(default_factory=list)
    supported_ticked: list[TopicMatch] = field(default_factory=list)
    no_topic_ticked: bool = False
    hints: list[Hint] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    model_threshold: float = THRESHOLD

    @property
    def shows_related_terms(self) -> bool:
        return any(t.related for m in self.top_topics for t in m.matched_terms)

    @property
    def hints_open(self) -> int:
        return sum(1 for h in self.hints if not h.ok)


def clip(
    text: ProposalText, lengths: Mapping[str, int] | None = None
) -> tuple[ProposalText, list[Note]]:
    """The text cut to the form's limits, and a note per field that was longer.

    ``lengths``: the fields' full lengths when the caller has already cut them shorter.
    """
    notes = []
    values = {}
    for name, limit in FIELD_LIMITS.items():
        value = text.field(name)
        length = max(len(value), (lengths or {}).get(name, 0))
        if length > limit:
            notes.append(
                Note(
                    f"{FIELD_LABELS[name]}: {length:,} characters; the form accepts at most "
                    f"{limit:,}, so shorten it by {length - limit:,}. Only the first "
                    f"{limit:,} were checked."
                )
            )
            value = value[:limit]
        values[name] = value
    return (
        ProposalText(
            title=values["title"],
            abstract=values["abstract"],
            outline=values["outline"],
            format=text.format,
            ticked_topic_ids=text.ticked_topic_ids,
        ),
        notes,
    )


def check_proposal(
    text: ProposalText,
    topics: Sequence[TopicText],
    *,
    lengths: Mapping[str, int] | None = None,
) -> CheckReport:
    """The advice for one state of the proposal form (``lengths``: see :func:`clip`)."""
    text, notes = clip(text, lengths)
    writing = f"{text.title}\n{text.abstract}\n{text.outline}"
    if not writing.strip():
        return CheckReport(empty=True, english=None, notes=notes)
    english = looks_english(writing)
    if english is False:
        notes.append(
            Note(
                "The text does not look like English. The checks below are built for English, "
                "so the sales-copy model and the content hints are switched off; the Expo call "
                "asks for proposals in English."
            )
        )
    flags = sales_flags(text, use_model=english is not False)
    sentences = sum(len(split_sentences(text.field(n))) for n in ("title", "abstract", "outline"))
    matches = topic_matches(text, topics)
    ticked = [m for m in matches if m.ticked]
    return CheckReport(
        empty=False,
        english=english,
        flags=flags[:MAX_FLAGS_SHOWN],
        flags_hidden=max(0, len(flags) - MAX_FLAGS_SHOWN),
        sentences_checked=sentences,
        top_topics=[m for m in matches if m.similarity > 0][:TOP_TOPICS],
        unsupported_ticked=[m for m in ticked if not m.supported],
        supported_ticked=[m for m in ticked if m.supported],
        no_topic_ticked=bool(topics) and not ticked,
        hints=completeness_hints(text, english=english),
        notes=notes,
    )


__all__ = [
    "FIELD_LIMITS",
    "MIN_WORDS",
    "CheckReport",
    "Hint",
    "ProposalText",
    "SalesFlag",
    "TopicMatch",
    "TopicText",
    "check_proposal",
    "completeness_hints",
    "sales_flags",
    "topic_matches",
]
