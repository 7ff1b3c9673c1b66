"""Reads of the relevance model for pages: a proposal's current score, versions, online
evaluation against decisions and score drift — each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from django.db.models import Count

from expo.conferences.models import Conference
from expo.proposals.models import Proposal, ProposalState
from ranking.evaluation import EvaluationReport, evaluate_scores, population_stability_test
from ranking.model import text_hash
from ranking.models import RelevanceModel, RelevanceScore
from ranking.services import DECIDED_STATES, SCORED_STATES, conference_references, proposal_text

# Below this many current scores a PSI says more about chance than about drift.
MIN_DRIFT_SCORES = 20
HISTOGRAM_BINS = 10
DriftLevel = Literal["stable", "moderate", "large", "too_few"]


def active_model_for(*, conference: Conference) -> RelevanceModel | None:
    return RelevanceModel.objects.filter(
        conference=conference, status=RelevanceModel.Status.ACTIVE
    ).first()


def relevance_score_for_proposal(*, proposal: Proposal) -> RelevanceScore | None:
    """The score to show for ``proposal`` now, or None while it is being (re)scored.

    That is the active version's score of the proposal's current text, or — with no active
    version — the topical score of its current text against the current topics and call.
    """
    active = active_model_for(conference=proposal.conference)
    document = proposal_text(proposal)
    if active is not None:
        return RelevanceScore.objects.filter(
            proposal=proposal, model=active, text_hash=text_hash(document)
        ).first()
    references = conference_references(proposal.conference)
    return RelevanceScore.objects.filter(
        proposal=proposal, model__isnull=True, text_hash=text_hash(document, *references)
    ).first()


def relevance_versions(*, conference: Conference) -> list[RelevanceModel]:
    """Every version of the conference's model, newest first, with who promoted it."""
    return list(
        RelevanceModel.objects.filter(conference=conference)
        .select_related("promoted_by", "created_by")
        .order_by("-version")
    )


def _latest_scores(model: RelevanceModel, conference: Conference) -> dict[int, float]:
    rows = (
        RelevanceScore.objects.filter(
            model=model, proposal__conference=conference, proposal__state__in=SCORED_STATES
        )
        .order_by("proposal_id", "created_at", "id")
        .values_list("proposal_id", "score")
    )
    return dict(rows)  # later rows overwrite earlier ones: the latest score per proposal


@dataclass(frozen=True)
class OnlineEvaluation:
    """A version's scores from before each decision, compared with the decisions."""

    model: RelevanceModel | None
    n_decided: int
    n_without_decision_time: int
    n_scored_before_decision: int
    report: EvaluationReport | None

    @property
    def explanation(self) -> str:
        if self.model is None:
            return "No learned model is active: there are no learned scores to compare."
        if self.report is None:
            return (
                f"{self.n_scored_before_decision} of {self.n_decided} decided proposals have a "
                f"score from v{self.model.version} made before their decision; both accepted "
                "and not-accepted proposals are needed."
            )
        return ""


def relevance_online_evaluation(
    *, conference: Conference, model: RelevanceModel | None = None, n_resamples: int = 2000
) -> OnlineEvaluation:
    """Online AUC and Brier of ``model`` (default: the active version) on this conference.

    Only a score made before the proposal's decision counts — the latest such one — so that a
    score cannot have seen the decision. Decided proposals without a recorded decision time are
    counted but not used. Two queries.
    """
    return _online_evaluation(
        conference, model or active_model_for(conference=conference), n_resamples
    )


def _online_evaluation(
    conference: Conference, model: RelevanceModel | None, n_resamples: int
) -> OnlineEvaluation:
    decided = list(
        Proposal.objects.filter(conference=conference, state__in=DECIDED_STATES).values_list(
            "pk", "state", "decision__decided_at"
        )
    )
    if model is None:
        return OnlineEvaluation(None, len(decided), 0, 0, None)
    scores: dict[int, list[tuple[Any, float]]] = {}
    for proposal_id, created_at, score in (
        RelevanceScore.objects.filter(model=model, proposal__conference=conference)
        .order_by("created_at", "id")
        .values_list("proposal_id", "created_at", "score")
    ):
        scores.setdefault(proposal_id, []).append((created_at, score))
    labels: list[int] = []
    predictions: list[float] = []
    without_time = 0
    for proposal_id, state, decided_at in decided:
        if decided_at is None:
            without_time += 1
            continue
        before = [s for created, s in scores.get(proposal_id, []) if created < decided_at]
        if before:
            labels.append(int(state == ProposalState.ACCEPTED))
            predictions.append(before[-1])
    report = None
    if labels and 0 < sum(labels) < len(labels):
        report = evaluate_scores(labels, predictions, n_resamples=n_resamples)
    return OnlineEvaluation(model, len(decided), without_time, len(labels), report)


@dataclass(frozen=True)
class ScoreDrift:
    """Training-time (out-of-fold) scores against the current proposals' scores."""

    model: RelevanceModel | None
    n_reference: int
    n_current: int
    psi: float | None
    level: DriftLevel
    p_value: float | None = None
    chance_psi: float | None = None
    bin_edges: list[float] = field(default_factory=list)
    reference_shares: list[float] = field(default_factory=list)
    current_shares: list[float] = field(default_factory=list)


def _drift_level(psi: float, p_value: float) -> DriftLevel:
    # Conventional PSI thresholds: < 0.1 stable, 0.1–0.25 moderate, > 0.25 large — applied only
    # when the PSI is larger than sampling alone would give (p < 0.05), because with an Expo's
    # hundred proposals chance alone reaches about 0.1 (see population_stability_test).
    if p_value >= 0.05 or psi < 0.1:
        return "stable"
    return "moderate" if psi <= 0.25 else "large"


def relevance_score_drift(
    *, conference: Conference, model: RelevanceModel | None = None
) -> ScoreDrift:
    """PSI between ``model``'s reference scores and its latest scores of this conference."""
    return _score_drift(conference, model or active_model_for(conference=conference))


def _score_drift(conference: Conference, model: RelevanceModel | None) -> ScoreDrift:
    if model is None:
        return ScoreDrift(None, 0, 0, None, "too_few")
    reference = np.asarray(model.metrics.get("reference_scores", []), dtype=float)
    current = np.asarray(list(_latest_scores(model, conference).values()), dtype=float)
    edges = np.linspace(0.0, 1.0, HISTOGRAM_BINS + 1)

    def shares(values: np.ndarray) -> list[float]:
        if not len(values):
            return [0.0] * HISTOGRAM_BINS
        counts, _ = np.histogram(values, bins=edges)
        return [float(c) / len(values) for c in counts]

    psi = p_value = chance = None
    level: DriftLevel = "too_few"
    if len(reference) >= MIN_DRIFT_SCORES and len(current) >= MIN_DRIFT_SCORES:
        test = population_stability_test(reference, current)
        psi, p_value, chance = test.psi, test.p_value, test.chance_psi
        level = _drift_level(psi, p_value)
    return ScoreDrift(
        model=model,
        n_reference=len(reference),
        n_current=len(current),
        psi=psi,
        level=level,
        p_value=p_value,
        chance_psi=chance,
        bin_edges=[float(e) for e in edges],
        reference_shares=shares(reference),
        current_shares=shares(current),
    )


@dataclass(frozen=True)
class RelevanceMonitoring:
    conference: Conference
    active: RelevanceModel | None
    versions: list[RelevanceModel]
    online: OnlineEvaluation
    drift: ScoreDrift
    score_counts: dict[str, int]


def relevance_monitoring(*, conference: Conference) -> RelevanceMonitoring:
    """Everything the chairs' monitoring page shows, in a fixed number of queries."""
    versions = relevance_versions(conference=conference)
    active = next((v for v in versions if v.status == RelevanceModel.Status.ACTIVE), None)
    counts = {"learned": 0, "topical": 0}
    counts.update(
        RelevanceScore.objects.filter(proposal__conference=conference)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    return RelevanceMonitoring(
        conference=conference,
        active=active,
        versions=versions,
        online=_online_evaluation(conference, active, 2000),
        drift=_score_drift(conference, active),
        score_counts=counts,
    )
