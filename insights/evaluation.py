"""Measuring the check's topic matching on real papers. Pure (no Django).

The sentence model's evaluation lives with the model (insights.sentence_model.evaluate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from insights.check import SUPPORT_MIN_SIMILARITY, ProposalText, TopicText, topic_matches


@dataclass(frozen=True)
class Paper:
    title: str
    abstract: str
    topics: frozenset[str]  # names of the topics the authors chose


@dataclass(frozen=True)
class TopicEvaluation:
    papers: int
    top1_is_authors_topic: float
    authors_topics_supported: float
    other_topics_supported: float


def evaluate_topics(
    papers: Sequence[Paper],
    topics: Sequence[TopicText],
    *,
    threshold: float = SUPPORT_MIN_SIMILARITY,
) -> TopicEvaluation:
    """How often the closest topic is one the authors chose, and how often a topic counts as
    supported when the authors chose it versus when they did not."""
    top1 = 0
    chosen: list[bool] = []
    others: list[bool] = []
    for paper in papers:
        matches = topic_matches(ProposalText(title=paper.title, abstract=paper.abstract), topics)
        if matches and matches[0].topic.name in paper.topics:
            top1 += 1
        for match in matches:
            supported = match.similarity >= threshold and bool(match.matched_terms)
            (chosen if match.topic.name in paper.topics else others).append(supported)
    return TopicEvaluation(
        papers=len(papers),
        top1_is_authors_topic=top1 / max(len(papers), 1),
        authors_topics_supported=sum(chosen) / max(len(chosen), 1),
        other_topics_supported=sum(others) / max(len(others), 1),
    )
