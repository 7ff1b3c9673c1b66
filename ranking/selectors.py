"""Reads of the relevance model for pages: a proposal's current score and review panel,
versions, online evaluation against decisions, score drift, the paired comparison of a shadow
with the active version, and the model analysis — each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import rules
from django.core.cache import cache
from django.db.models import Count

from expo.conferences.models import Conference, ExpoFormat
from expo.proposals.models import Proposal, ProposalState
from expo.sponsors.models import CompanySize, Region, SponsorTier
from ranking.analysis import (
    Finding,
    GroupScore,
    LengthEffect,
    TermConcentration,
    analysis_summary,
    group_scores,
    length_effect,
    term_concentration,
)
from ranking.comparison import (
    MIN_ONLINE_PAIRED,
    MIN_ONLINE_PER_CLASS,
    PairedComparison,
    SliceGap,
    paired_comparison,
    slice_gaps,
)
from ranking.evaluation import EvaluationReport, evaluate_scores, population_stability_test
from ranking.model import text_hash
from ranking.models import (
    RankingSettings,
    RelevanceModel,
    RelevanceModelEvent,
    RelevanceScore,
    ScoreKind,
)
from ranking.services import (
    DECIDED_STATES,
    SCORED_STATES,
    SLICE_NAMES,
    PromotionEvidence,
    artefact_load,
    conference_references,
    promotion_evidence,
    proposal_slices,
    proposal_text,
    training_proposals,
)

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
    # Scores that were or are shown, by kind; scores of versions now in shadow separately.
    score_counts: dict[str, int]
    shadow_score_count: int = 0


def relevance_monitoring(*, conference: Conference) -> RelevanceMonitoring:
    """Everything the chairs' monitoring page shows, in a fixed number of queries."""
    versions = relevance_versions(conference=conference)
    active = next((v for v in versions if v.status == RelevanceModel.Status.ACTIVE), None)
    counts = {"learned": 0, "topical": 0}
    shadow = 0
    for kind, status, n in (
        RelevanceScore.objects.filter(proposal__conference=conference)
        .order_by()
        .values_list("kind", "model__status")
        .annotate(n=Count("id"))
    ):
        if status == RelevanceModel.Status.SHADOW:
            shadow += n
        else:
            counts[kind] = counts.get(kind, 0) + n
    return RelevanceMonitoring(
        conference=conference,
        active=active,
        versions=versions,
        online=_online_evaluation(conference, active, 2000),
        drift=_score_drift(conference, active),
        score_counts=counts,
        shadow_score_count=shadow,
    )


# --- shadow models: the paired online comparison ----------------------------------------------


@dataclass(frozen=True)
class PairedOnlineScores:
    """Decided proposals that both versions scored, before the decision, on the same text."""

    baseline: RelevanceModel
    candidate: RelevanceModel
    proposal_ids: list[int]
    labels: list[int]
    baseline_scores: list[float]
    candidate_scores: list[float]
    slices: dict[str, list[str]]
    n_decided: int
    n_without_decision_time: int
    n_unpaired: int

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def n_positive(self) -> int:
        return sum(self.labels)

    @property
    def enough_for_promotion(self) -> bool:
        return (
            self.n >= MIN_ONLINE_PAIRED
            and self.n_positive >= MIN_ONLINE_PER_CLASS
            and self.n - self.n_positive >= MIN_ONLINE_PER_CLASS
        )

    def compare(self, *, n_resamples: int = 2000) -> PairedComparison:
        return paired_comparison(
            self.labels, self.baseline_scores, self.candidate_scores, n_resamples=n_resamples
        )

    def gaps(self) -> list[SliceGap]:
        if not self.labels:
            return []
        return [
            replace(gap, group=group_label(gap.slice, gap.group))
            for gap in slice_gaps(
                self.labels, self.baseline_scores, self.candidate_scores, self.slices
            )
        ]


def _snapshot_slices(row: tuple[Any, ...]) -> dict[str, str]:
    fmt, tier, size, region, first_time = row
    return {
        "format": fmt,
        "sponsor tier": tier or "unknown",
        "company size": size or "unknown",
        "region": region or "unknown",
        "first-time sponsor": {True: "yes", False: "no", None: "unknown"}[first_time],
    }


def paired_online_scores(
    *, baseline: RelevanceModel, candidate: RelevanceModel
) -> PairedOnlineScores:
    """For each decided proposal of the conference, both versions' latest scores made before
    its decision, when they scored the same text. Two queries."""
    conference_id = candidate.conference_id
    decided = list(
        Proposal.objects.filter(conference_id=conference_id, state__in=DECIDED_STATES)
        .order_by("pk")
        .values_list(
            "pk",
            "state",
            "decision__decided_at",
            "format",
            "sponsor_tier",
            "sponsor_size",
            "sponsor_region",
            "first_time_sponsor",
        )
    )
    history: dict[tuple[int, int], list[tuple[Any, str, float]]] = {}
    for model_id, proposal_id, created_at, digest, score in (
        RelevanceScore.objects.filter(
            model_id__in=[baseline.pk, candidate.pk], proposal__conference_id=conference_id
        )
        .order_by("created_at", "id")
        .values_list("model_id", "proposal_id", "created_at", "text_hash", "score")
    ):
        history.setdefault((model_id, proposal_id), []).append((created_at, digest, score))

    def before(model: RelevanceModel, proposal_id: int, moment: Any) -> tuple[str, float] | None:
        earlier = [(d, s) for c, d, s in history.get((model.pk, proposal_id), []) if c < moment]
        return earlier[-1] if earlier else None

    ids: list[int] = []
    labels: list[int] = []
    base: list[float] = []
    cand: list[float] = []
    slices: dict[str, list[str]] = {name: [] for name in SLICE_NAMES}
    without_time = unpaired = 0
    for proposal_id, state, decided_at, *snapshot in decided:
        if decided_at is None:
            without_time += 1
            continue
        a, b = before(baseline, proposal_id, decided_at), before(candidate, proposal_id, decided_at)
        if a is None or b is None or a[0] != b[0]:
            unpaired += 1
            continue
        ids.append(proposal_id)
        labels.append(int(state == ProposalState.ACCEPTED))
        base.append(a[1])
        cand.append(b[1])
        for name, value in _snapshot_slices(tuple(snapshot)).items():
            slices[name].append(value)
    return PairedOnlineScores(
        baseline=baseline,
        candidate=candidate,
        proposal_ids=ids,
        labels=labels,
        baseline_scores=base,
        candidate_scores=cand,
        slices=slices,
        n_decided=len(decided),
        n_without_decision_time=without_time,
        n_unpaired=unpaired,
    )


@dataclass(frozen=True)
class ShadowComparison:
    """A candidate against the active version: the paired online comparison when there are
    decisions, and what the promotion rule would use now."""

    candidate: RelevanceModel
    active: RelevanceModel | None
    paired: PairedOnlineScores | None
    comparison: PairedComparison | None
    gaps: list[SliceGap]
    evidence: PromotionEvidence


def shadow_comparison(*, candidate: RelevanceModel) -> ShadowComparison:
    """Compare ``candidate`` with its conference's active version on the same proposals."""
    active = RelevanceModel.objects.filter(
        conference_id=candidate.conference_id, status=RelevanceModel.Status.ACTIVE
    ).first()
    if active is None or active.pk == candidate.pk:
        return ShadowComparison(
            candidate, active, None, None, [], promotion_evidence(candidate, active)
        )
    paired = paired_online_scores(baseline=active, candidate=candidate)
    comparison = paired.compare() if paired.n else None
    return ShadowComparison(
        candidate=candidate,
        active=active,
        paired=paired,
        comparison=comparison,
        gaps=paired.gaps(),
        evidence=promotion_evidence(candidate, active, paired=paired, comparison=comparison),
    )


# --- the review page panel ---------------------------------------------------------------------


def ranking_settings_for(*, conference: Conference) -> RankingSettings:
    """The conference's settings, or the defaults (unsaved) when none were stored."""
    stored = RankingSettings.objects.filter(conference=conference).first()
    return stored or RankingSettings(conference=conference)


KIND_LABELS = {
    ScoreKind.LEARNED: (
        "Learned — trained on past decisions",
        "An estimate, from earlier editions' decisions on similar text, of how likely a "
        "proposal like this was to be accepted. Advisory: it knows nothing about this year's "
        "call beyond the words.",
    ),
    ScoreKind.TOPICAL: (
        "Topical relevance — similarity to the conference's topics, not a probability",
        "How closely the proposal's words match the best-matching topic or the call text "
        "(0 to 1). A high value means on topic, not likely to be accepted.",
    ),
}
PANEL_TERMS = 5


@dataclass(frozen=True)
class ReviewPanel:
    """What a cochair or admin may see of the model on a proposal's review page."""

    visible: bool
    hidden_reason: str = ""
    score: float | None = None
    kind: str = ""
    kind_label: str = ""
    kind_help: str = ""
    version: int | None = None
    raising: list[dict[str, Any]] = field(default_factory=list)
    lowering: list[dict[str, Any]] = field(default_factory=list)
    pending: bool = False


def review_panel(*, proposal: Proposal, user: Any) -> ReviewPanel | None:
    """The relevance panel for ``user`` on ``proposal``'s review page, or None when the user
    may not see the model at all (sponsors, other conferences' chairs, conflicted chairs).

    By default a cochair sees the score only after submitting their own review of the
    proposal, so that the model cannot anchor it (``RankingSettings``; ``ranking.rules``).
    """
    if not rules.has_perm("ranking.view_panel", user, proposal):
        return None
    if not rules.has_perm("ranking.view_score", user, proposal):
        return ReviewPanel(
            visible=False,
            hidden_reason="The model's score appears once you have submitted your review, so "
            "that it cannot anchor your judgement.",
        )
    score = relevance_score_for_proposal(proposal=proposal)
    if score is None:
        return ReviewPanel(visible=True, pending=True)
    label, help_text = KIND_LABELS[ScoreKind(score.kind)]
    explanation = score.explanation or {}
    return ReviewPanel(
        visible=True,
        score=score.score,
        kind=score.kind,
        kind_label=label,
        kind_help=help_text,
        version=score.model.version if score.model is not None else None,
        raising=list(explanation.get("raising", []))[:PANEL_TERMS],
        lowering=list(explanation.get("lowering", []))[:PANEL_TERMS],
    )


# --- model analysis ----------------------------------------------------------------------------

ANALYSIS_TERMS = 20
ANALYSIS_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class ModelAnalysis:
    """What the active version gives weight to, on the proposals it was trained on."""

    version: int
    n: int
    n_accepted: int
    groups: list[GroupScore]
    terms: list[TermConcentration]
    lowering_terms: list[dict[str, Any]]
    length: LengthEffect
    findings: list[Finding]

    @property
    def house_style_terms(self) -> list[TermConcentration]:
        return [t for t in self.terms if t.flagged]


def group_label(attribute: str, value: str) -> str:
    """A group's name for people: "Middle East & Africa" rather than "middle_east_africa"."""
    choices: dict[str, dict[str, str]] = {
        "format": dict(ExpoFormat.choices),
        "sponsor tier": dict(SponsorTier.choices),
        "company size": dict(CompanySize.choices),
        "region": dict(Region.choices),
        "first-time sponsor": {"yes": "First-time sponsor", "no": "Returning sponsor"},
    }
    return choices.get(attribute, {}).get(value, value)


def model_analysis(*, model: RelevanceModel) -> ModelAnalysis:
    """Group gaps at equal decision, house-style terms and length, for ``model`` on its
    conference's training proposals (``ranking.analysis``). Cached until the training
    proposals or the model change. Raises ``ArtefactIntegrityError`` if its file fails."""
    conference = model.conference
    state = list(
        training_proposals(conference).values_list("pk", "state", "updated_at").order_by("pk")
    )
    digest = text_hash(*(f"{pk}:{s}:{u.isoformat()}" for pk, s, u in state))
    key = f"ranking:analysis:v1:{model.pk}:{model.artefact_sha256[:16]}:{digest[:32]}"
    cached = cache.get(key)
    if isinstance(cached, ModelAnalysis):
        return cached
    classifier = artefact_load(model)
    proposals = list(training_proposals(conference))
    documents = [proposal_text(p) for p in proposals]
    labels = [int(p.state == ProposalState.ACCEPTED) for p in proposals]
    scores = classifier.predict_proba(documents)[:, 1] if documents else np.zeros(0)
    attributes: dict[str, list[list[str]]] = {
        "topic": [[t.name for t in p.topics.all()] for p in proposals]
    }
    for name in SLICE_NAMES:
        attributes[name] = [[group_label(name, proposal_slices(p)[name])] for p in proposals]
    raising = list(model.top_terms.get("raising", []))[:ANALYSIS_TERMS]
    terms = [t["term"] for t in raising]
    presence = classifier.term_presence(documents, terms)
    tiers = [group_label("sponsor tier", proposal_slices(p)["sponsor tier"]) for p in proposals]
    groups = group_scores(scores, labels, attributes) if documents else []
    concentration = term_concentration(
        presence, terms, [t["contribution"] for t in raising], tiers, ignore=frozenset({"unknown"})
    )
    length = length_effect([len(d.split()) for d in documents], scores, labels)
    result = ModelAnalysis(
        version=model.version,
        n=len(labels),
        n_accepted=sum(labels),
        groups=groups,
        terms=concentration,
        lowering_terms=list(model.top_terms.get("lowering", []))[:10],
        length=length,
        findings=analysis_summary(
            n=len(labels), n_accepted=sum(labels), groups=groups, terms=concentration, length=length
        ),
    )
    cache.set(key, result, ANALYSIS_CACHE_SECONDS)
    return result


def model_events(*, conference: Conference, limit: int = 30) -> list[RelevanceModelEvent]:
    return list(
        RelevanceModelEvent.objects.filter(conference=conference)
        .select_related("model")
        .order_by("-created_at", "-pk")[:limit]
    )


def labelled_slices(
    slices: dict[str, dict[str, dict[str, Any]]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """A version's per-slice metrics with groups named for people."""
    return {
        name: {group_label(name, group): report for group, report in groups.items()}
        for name, groups in slices.items()
    }
