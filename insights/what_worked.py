""" "What worked": anonymised patterns of accepted vs rejected proposals of earlier editions.

Pure Python + scipy/statsmodels (no Django). Input: one record per *decided* proposal (accepted
or rejected) — its format, topic names and text; no titles, sponsors, reviews or scores reach
the output. Every figure describes a group of at least ``min_group`` proposals; smaller groups
are left out, and with fewer than ``min_group`` accepted or rejected proposals nothing is shown.

For each feature (what the proposal check looks for: a demo, what attendees learn, results,
sales phrases…) the share among accepted and among rejected proposals is given with its Wilson
95% interval (statsmodels), and Fisher's exact test (scipy) on the 2×2 table says whether the
difference is clear at the 5% level. These are associations in past decisions, not causes.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportion_confint

from insights.check import (
    FORMAT_MINUTES,
    LEARN_PATTERN,
    PREREQUISITES_PATTERN,
    SHOWN_PARTS,
    outline_items,
)
from insights.lexicon import lexicon_hits
from insights.sentences import word_count

MIN_GROUP = 5
ALPHA = 0.05


@dataclass(frozen=True)
class ProposalRecord:
    accepted: bool
    format: str
    topics: tuple[str, ...]
    abstract: str
    outline: str


@dataclass(frozen=True)
class Share:
    count: int
    total: int
    low: float
    high: float

    @property
    def share(self) -> float:
        return self.count / self.total


@dataclass(frozen=True)
class FeatureRow:
    label: str
    accepted: Share
    rejected: Share
    p_value: float

    @property
    def verdict(self) -> str:
        if self.p_value >= ALPHA:
            return "no clear difference"
        if self.accepted.share > self.rejected.share:
            return "more common among accepted"
        return "more common among rejected"


@dataclass(frozen=True)
class GroupRow:
    label: str
    proposals: int
    accepted: Share  # share of the group's proposals that were accepted


@dataclass(frozen=True)
class MedianRow:
    label: str
    accepted: float
    rejected: float


@dataclass(frozen=True)
class WhatWorked:
    accepted: int
    rejected: int
    enough: bool
    features: list[FeatureRow]
    formats: list[GroupRow]
    topics: list[GroupRow]
    medians: list[MedianRow]
    topics_left_out: int
    min_group: int


def _share(count: int, total: int) -> Share:
    low, high = proportion_confint(count, total, alpha=ALPHA, method="wilson")
    return Share(count, total, float(low), float(high))


def _has_sales_phrase(record: ProposalRecord) -> bool:
    return bool(lexicon_hits(record.abstract) or lexicon_hits(record.outline))


def _text(record: ProposalRecord) -> str:
    return f"{record.abstract}\n{record.outline}"


FEATURES: tuple[tuple[str, Callable[[ProposalRecord], bool]], ...] = (
    *(
        (f"Mentions {label.lower()}", lambda r, p=pattern: bool(p.search(_text(r))))
        for _, label, _, pattern in SHOWN_PARTS
    ),
    ("Says what attendees learn", lambda r: bool(LEARN_PATTERN.search(_text(r)))),
    ("Has a sales-copy phrase (lexicon)", _has_sales_phrase),
)


def what_worked(records: Sequence[ProposalRecord], *, min_group: int = MIN_GROUP) -> WhatWorked:
    """The aggregate patterns, or ``enough=False`` when either side has < ``min_group``."""
    accepted = [r for r in records if r.accepted]
    rejected = [r for r in records if not r.accepted]
    enough = len(accepted) >= min_group and len(rejected) >= min_group
    if not enough:
        return WhatWorked(len(accepted), len(rejected), False, [], [], [], [], 0, min_group)
    features = []
    workshops = [r for r in records if r.format == "workshop"]
    extra: tuple[tuple[str, Callable[[ProposalRecord], bool], Sequence[ProposalRecord]], ...] = (
        (
            "Workshops that state prerequisites",
            lambda r: bool(PREREQUISITES_PATTERN.search(_text(r))),
            workshops,
        ),
    )
    for label, test, group in (*((lbl, t, records) for lbl, t in FEATURES), *extra):
        yes = [r for r in group if r.accepted]
        no = [r for r in group if not r.accepted]
        if len(yes) < min_group or len(no) < min_group:
            continue
        a, b = sum(map(test, yes)), sum(map(test, no))
        _, p_value = fisher_exact([[a, len(yes) - a], [b, len(no) - b]])
        features.append(FeatureRow(label, _share(a, len(yes)), _share(b, len(no)), float(p_value)))
    formats = _groups(
        records, lambda r: [r.format] if r.format in FORMAT_MINUTES else [], min_group
    )
    topic_counts = Counter(name for r in records for name in set(r.topics))
    topics = _groups(records, lambda r: sorted(set(r.topics)), min_group)
    medians = [
        MedianRow(
            "Abstract length (words)",
            statistics.median(word_count(r.abstract) for r in accepted),
            statistics.median(word_count(r.abstract) for r in rejected),
        ),
        MedianRow(
            "Outline items",
            statistics.median(outline_items(r.outline) for r in accepted),
            statistics.median(outline_items(r.outline) for r in rejected),
        ),
    ]
    return WhatWorked(
        accepted=len(accepted),
        rejected=len(rejected),
        enough=True,
        features=features,
        formats=[GroupRow(label.capitalize(), g.proposals, g.accepted) for label, g in formats],
        topics=[g for _, g in topics],
        medians=medians,
        topics_left_out=sum(1 for n in topic_counts.values() if n < min_group),
        min_group=min_group,
    )


def _groups(
    records: Sequence[ProposalRecord],
    keys: Callable[[ProposalRecord], list[str]],
    min_group: int,
) -> list[tuple[str, GroupRow]]:
    members: dict[str, list[bool]] = {}
    for record in records:
        for key in keys(record):
            members.setdefault(key, []).append(record.accepted)
    rows = [
        (key, GroupRow(key, len(flags), _share(sum(flags), len(flags))))
        for key, flags in members.items()
        if len(flags) >= min_group
    ]
    rows.sort(key=lambda item: (-item[1].proposals, item[0]))
    return rows
