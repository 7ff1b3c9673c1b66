"""Every write of the review workflow goes through these functions.

Each checks the permission table and the workflow rules, writes inside one transaction, records
the audit event in the same transaction, and raises an error whose message a chair can read.
Concurrent edits use optimistic locking: the caller passes the version it started from and a
stale write raises ``StaleWrite`` carrying the newer version.
"""

import datetime as dt
import hashlib
import logging
import re
import smtplib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Avg, Count, Max, Min
from django.utils import timezone

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.proposals.models import Proposal, ProposalState
from reviews import selectors
from reviews.audit import audit_record
from reviews.defaults import (
    DECISION_WORDS,
    DEFAULT_CRITERIA,
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
)
from reviews.models import (
    OUTCOME_STATES,
    REVIEWABLE_STATES,
    AuditAction,
    Conflict,
    ConflictKind,
    CriterionScore,
    Decision,
    DecisionOutcome,
    NotificationTemplate,
    OutboxMessage,
    OutboxStatus,
    Recommendation,
    Review,
    ReviewCriterion,
    ReviewRevision,
    ReviewSettings,
    ReviewSummary,
)
from reviews.rules import may

logger = logging.getLogger(__name__)

RATIONALE_MIN = 20
TEXT_MAX = 5000


class StaleWrite(Exception):
    """Someone saved a newer version since the caller loaded theirs."""

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message)
        self.message = message
        self.current = current


class OverCapacity(ValidationError):
    """Accepting would put more sessions in a track than it has slots; needs confirmation."""


# --- Setup -------------------------------------------------------------------------------------


@transaction.atomic
def review_setup_ensure(*, conference: Conference) -> ReviewSettings:
    """Create the conference's review settings, default criteria and e-mail templates if
    missing; existing ones are left as they are."""
    review_settings, _ = ReviewSettings.objects.get_or_create(conference=conference)
    if not ReviewCriterion.objects.filter(conference=conference).exists():
        ReviewCriterion.objects.bulk_create(
            ReviewCriterion(conference=conference, name=name, guidance=guidance, position=position)
            for position, (name, guidance) in enumerate(DEFAULT_CRITERIA)
        )
    existing = set(
        NotificationTemplate.objects.filter(conference=conference).values_list("outcome", flat=True)
    )
    NotificationTemplate.objects.bulk_create(
        NotificationTemplate(conference=conference, outcome=outcome, subject=subject, body=body)
        for outcome, (subject, body) in DEFAULT_TEMPLATES.items()
        if outcome not in existing
    )
    return review_settings


def review_settings_for(*, conference: Conference) -> ReviewSettings:
    """The conference's settings, created with the defaults on first use."""
    try:
        return ReviewSettings.objects.get(conference=conference)
    except ReviewSettings.DoesNotExist:
        return review_setup_ensure(conference=conference)


# --- Criteria and settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionData:
    name: str
    guidance: str = ""
    scale_min: int = 1
    scale_max: int = 5
    weight: Decimal = Decimal(1)
    id: int | None = None


def _criteria_snapshot(criteria: Sequence[ReviewCriterion]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "name": c.name,
            "guidance": c.guidance,
            "scale": [c.scale_min, c.scale_max],
            "weight": str(c.weight),
        }
        for c in criteria
    ]


def _ensure_admin(user: User) -> None:
    if not user.is_superuser:
        raise PermissionDenied("Only admins can do this.")


@transaction.atomic
def criteria_replace(
    *, by: User, conference: Conference, criteria: Sequence[CriterionData]
) -> list[ReviewCriterion]:
    """Replace the conference's criteria (keep, change, add, drop) before reviewing starts."""
    _ensure_admin(by)
    started = selectors.reviews_started_count(conference=conference)
    if started:
        raise ValidationError(
            f"Reviewing has started ({started} review{'s' if started != 1 else ''} exist), so "
            "the criteria can no longer change: scores already given would change meaning."
        )
    if not criteria:
        raise ValidationError("Keep at least one criterion.")
    names = [c.name.strip().casefold() for c in criteria]
    if len(set(names)) != len(names):
        raise ValidationError("Each criterion needs its own name.")
    existing = {c.pk: c for c in ReviewCriterion.objects.filter(conference=conference)}
    before = _criteria_snapshot(list(existing.values()))
    unknown = [c.id for c in criteria if c.id is not None and c.id not in existing]
    if unknown:
        raise ValidationError("A criterion in the form does not belong to this conference.")
    kept_ids = {c.id for c in criteria if c.id is not None}
    ReviewCriterion.objects.filter(conference=conference).exclude(pk__in=kept_ids).delete()
    result = []
    for position, data in enumerate(criteria):
        criterion = (
            existing[data.id] if data.id is not None else ReviewCriterion(conference=conference)
        )
        criterion.name = data.name.strip()
        criterion.guidance = data.guidance.strip()
        criterion.scale_min = data.scale_min
        criterion.scale_max = data.scale_max
        criterion.weight = data.weight
        criterion.position = position
        criterion.full_clean(exclude=["conference"], validate_unique=False)
        if criterion.scale_min >= criterion.scale_max:
            raise ValidationError(f"“{criterion.name}”: the scale must go from low to high.")
        result.append(criterion)
    # Names are unique per conference: park kept rows under a temporary name first, so that
    # swapping two names does not clash half-way.
    for criterion in result:
        if criterion.pk:
            criterion.name = f"__renaming {criterion.pk}"
            criterion.save(update_fields=["name"])
    for criterion, data in zip(result, criteria, strict=True):
        criterion.name = data.name.strip()
        criterion.save()
    audit_record(
        action=AuditAction.CRITERIA_CHANGED,
        actor=by,
        summary=f"Review criteria of {conference.name} changed",
        object_type="conference",
        object_id=conference.pk,
        conference=conference,
        before={"criteria": before},
        after={"criteria": _criteria_snapshot(result)},
    )
    return result


@transaction.atomic
def review_settings_update(
    *,
    by: User,
    conference: Conference,
    required_reviews: int,
    score_scale_max: int,
    disagreement_points: Decimal,
) -> ReviewSettings:
    """Change how the conference reviews; the score scale is fixed once reviewing started."""
    _ensure_admin(by)
    review_settings = ReviewSettings.objects.select_for_update().get(
        pk=review_settings_for(conference=conference).pk
    )
    before = {
        "required_reviews": review_settings.required_reviews,
        "score_scale_max": review_settings.score_scale_max,
        "disagreement_points": str(review_settings.disagreement_points),
    }
    if score_scale_max != review_settings.score_scale_max and selectors.reviews_started_count(
        conference=conference
    ):
        raise ValidationError(
            {"score_scale_max": "Reviewing has started; the score scale can no longer change."}
        )
    review_settings.required_reviews = required_reviews
    review_settings.score_scale_max = score_scale_max
    review_settings.disagreement_points = disagreement_points
    review_settings.full_clean()
    review_settings.save()
    after = {
        "required_reviews": required_reviews,
        "score_scale_max": score_scale_max,
        "disagreement_points": str(disagreement_points),
    }
    if after != before:
        audit_record(
            action=AuditAction.SETTINGS_CHANGED,
            actor=by,
            summary=f"Review settings of {conference.name} changed",
            object_type="conference",
            object_id=conference.pk,
            conference=conference,
            before=before,
            after=after,
        )
    return review_settings


# --- Reviews -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewData:
    scores: Mapping[int, int | None] = field(default_factory=dict)
    recommendation: str = ""
    confidence: int | None = None
    rationale: str = ""
    private_comment: str = ""

    def as_draft(self) -> dict[str, Any]:
        return {
            "scores": {str(k): v for k, v in self.scores.items() if v is not None},
            "recommendation": self.recommendation,
            "confidence": self.confidence,
            "rationale": self.rationale,
            "private_comment": self.private_comment,
        }

    @classmethod
    def from_draft(cls, draft: Mapping[str, Any]) -> "ReviewData":
        return cls(
            scores={int(k): v for k, v in (draft.get("scores") or {}).items()},
            recommendation=draft.get("recommendation") or "",
            confidence=draft.get("confidence"),
            rationale=draft.get("rationale") or "",
            private_comment=draft.get("private_comment") or "",
        )


def weighted_score(
    *, scores: Mapping[int, int | None], criteria: Sequence[ReviewCriterion], scale_max: int
) -> float | None:
    """Weighted mean of the criterion scores, each first mapped onto 0–1 by its own scale, then
    shown on 1–``scale_max``. With all criteria on 1–5 and ``scale_max`` 5 this is the plain
    weighted mean. None until every criterion has a score."""
    total_weight = 0.0
    total = 0.0
    for criterion in criteria:
        score = scores.get(criterion.pk)
        if score is None:
            return None
        weight = float(criterion.weight)
        total_weight += weight
        total += (
            weight * (score - criterion.scale_min) / (criterion.scale_max - criterion.scale_min)
        )
    if total_weight == 0:
        return None
    return 1 + (scale_max - 1) * total / total_weight


def _validate_review(
    *, data: ReviewData, criteria: Sequence[ReviewCriterion], complete: bool
) -> None:
    errors: dict[str, list[str]] = {}
    by_id = {c.pk: c for c in criteria}
    foreign = [cid for cid in data.scores if cid not in by_id]
    if foreign:
        raise ValidationError("The form scored a criterion that this conference does not use.")
    for criterion in criteria:
        score = data.scores.get(criterion.pk)
        key = f"score_{criterion.pk}"
        if score is None:
            if complete:
                errors[key] = [f"Score “{criterion.name}”."]
        elif not isinstance(score, int) or not (
            criterion.scale_min <= score <= criterion.scale_max
        ):
            errors[key] = [
                f"“{criterion.name}” is scored from {criterion.scale_min} to "
                f"{criterion.scale_max}; {score} is outside the scale."
            ]
    if data.recommendation and data.recommendation not in Recommendation.values:
        errors["recommendation"] = ["Choose one of the recommendations."]
    elif complete and not data.recommendation:
        errors["recommendation"] = ["Give an overall recommendation."]
    if data.confidence is not None and not (1 <= data.confidence <= 5):
        errors["confidence"] = ["Confidence goes from 1 to 5."]
    elif complete and data.confidence is None:
        errors["confidence"] = ["Say how confident you are (1–5)."]
    rationale = data.rationale.strip()
    if complete and len(rationale) < RATIONALE_MIN:
        errors["rationale"] = [
            f"Write a rationale the sponsor can learn from (at least {RATIONALE_MIN} characters)."
        ]
    for name, text in (("rationale", data.rationale), ("private_comment", data.private_comment)):
        if len(text) > TEXT_MAX:
            errors.setdefault(name, []).append(f"Keep it under {TEXT_MAX} characters.")
    if errors:
        raise ValidationError(errors)


def _ensure_may_review(*, reviewer: User, proposal: Proposal) -> None:
    if proposal.state == ProposalState.WITHDRAWN:
        raise ValidationError("This proposal was withdrawn; it can no longer be reviewed.")
    if proposal.state not in REVIEWABLE_STATES:
        raise ValidationError(
            f"This proposal is {proposal.get_state_display().lower()}; reviews can no longer "
            "change."
        )
    if not may(reviewer, "reviews.review_proposal", proposal):
        raise PermissionDenied("You cannot review this proposal.")


def _locked_proposal(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("conference", "organisation")
        .get(pk=proposal.pk)
    )


def _locked_review(*, reviewer: User, proposal: Proposal) -> Review:
    review, _ = Review.objects.select_for_update().get_or_create(
        proposal=proposal, reviewer=reviewer
    )
    return review


def review_snapshot(review: Review, criteria: Sequence[ReviewCriterion]) -> dict[str, Any]:
    """The submitted content of a review, for the audit trail and revisions."""
    scores = {s.criterion_id: s.score for s in review.scores.all()}
    return {
        "version": review.version,
        "scores": {c.name: scores.get(c.pk) for c in criteria},
        "recommendation": review.recommendation,
        "confidence": review.confidence,
        "rationale": review.rationale,
        "private_comment": review.private_comment,
        "weighted_score": review.weighted_score,
    }


@transaction.atomic
def review_autosave(
    *,
    reviewer: User,
    proposal: Proposal,
    data: ReviewData,
    expected_draft_version: int,
    now: dt.datetime | None = None,
) -> Review:
    """Save the reviewer's private draft. Incomplete is fine; out-of-scale is not."""
    proposal = _locked_proposal(proposal)
    _ensure_may_review(reviewer=reviewer, proposal=proposal)
    criteria = list(ReviewCriterion.objects.filter(conference_id=proposal.conference_id))
    _validate_review(data=data, criteria=criteria, complete=False)
    review = _locked_review(reviewer=reviewer, proposal=proposal)
    if review.draft_version != expected_draft_version:
        raise StaleWrite(
            "Your draft of this review was saved from another tab or window since this page "
            "loaded.",
            current=review,
        )
    review.draft = data.as_draft()
    review.draft_version += 1
    review.draft_saved_at = now or timezone.now()
    review.save(update_fields=["draft", "draft_version", "draft_saved_at"])
    return review


@transaction.atomic
def review_submit(
    *,
    reviewer: User,
    proposal: Proposal,
    data: ReviewData,
    expected_version: int,
    now: dt.datetime | None = None,
) -> Review:
    """Submit (or revise) the reviewer's review. The first submitted review of a proposal moves
    it from *submitted* to *under review*, which ends the sponsor's editing."""
    now = now or timezone.now()
    proposal = _locked_proposal(proposal)
    _ensure_may_review(reviewer=reviewer, proposal=proposal)
    review_settings = review_settings_for(conference=proposal.conference)
    criteria = list(ReviewCriterion.objects.filter(conference_id=proposal.conference_id))
    _validate_review(data=data, criteria=criteria, complete=True)
    review = _locked_review(reviewer=reviewer, proposal=proposal)
    if review.version != expected_version:
        raise StaleWrite(
            f"You submitted version {review.version} of this review from another tab or window "
            "since this page loaded.",
            current=review,
        )
    before = review_snapshot(review, criteria) if review.is_submitted else None
    score = weighted_score(
        scores=data.scores, criteria=criteria, scale_max=review_settings.score_scale_max
    )
    assert score is not None  # complete=True validated every criterion
    review.recommendation = data.recommendation
    review.confidence = data.confidence
    review.rationale = data.rationale.strip()
    review.private_comment = data.private_comment.strip()
    review.weighted_score = score
    review.version += 1
    review.submitted_at = review.submitted_at or now
    review.revised_at = now
    review.draft = {}
    # A stale tab's autosave must not bring the submitted draft back.
    review.draft_version += 1
    review.draft_saved_at = None
    review.save()
    review.scores.all().delete()
    scores = {c.pk: int(data.scores[c.pk] or 0) for c in criteria}  # all present: validated
    CriterionScore.objects.bulk_create(
        CriterionScore(review=review, criterion=c, score=scores[c.pk]) for c in criteria
    )
    after = review_snapshot(review, criteria)
    ReviewRevision.objects.create(
        review=review,
        version=review.version,
        scores=[
            {"criterion_id": c.pk, "name": c.name, "score": data.scores[c.pk]} for c in criteria
        ],
        recommendation=review.recommendation,
        confidence=review.confidence,
        rationale=review.rationale,
        private_comment=review.private_comment,
        weighted_score=score,
        submitted_at=now,
    )
    audit_record(
        action=AuditAction.REVIEW_REVISED if before else AuditAction.REVIEW_SUBMITTED,
        actor=reviewer,
        summary=(
            f"{'Revised' if before else 'Submitted'} review of “{proposal.title}” "
            f"(v{review.version}, {score:.2f})"
        ),
        object_type="review",
        object_id=review.pk,
        proposal=proposal,
        before=before,
        after=after,
    )
    review_summaries_refresh(proposal_ids=[proposal.pk])
    if proposal.state == ProposalState.SUBMITTED:
        _proposal_set_state(
            proposal=proposal,
            state=ProposalState.UNDER_REVIEW,
            by=reviewer,
            why="first review submitted",
        )
    return review


@transaction.atomic
def review_summaries_refresh(*, proposal_ids: Iterable[int]) -> None:
    """Recompute the ``ReviewSummary`` of these proposals from their submitted reviews. Every
    write of a submitted review calls this in its transaction (bulk imports once at the end)."""
    ids = sorted(set(proposal_ids))
    for start in range(0, len(ids), 500):  # SQLite's limit on query parameters
        chunk = ids[start : start + 500]
        _review_summaries_refresh_chunk(chunk)
        conferences = Proposal.objects.filter(pk__in=chunk).values("conference_id")
        ReviewSettings.objects.filter(conference_id__in=conferences).update(
            scores_token=uuid.uuid4()
        )


def _review_summaries_refresh_chunk(ids: list[int]) -> None:
    figures = (
        Review.objects.filter(proposal_id__in=ids, version__gt=0)
        .values("proposal_id")
        .annotate(
            count=Count("pk"),
            mean=Avg("weighted_score"),
            low=Min("weighted_score"),
            high=Max("weighted_score"),
        )
        .order_by()
    )
    summaries = [
        ReviewSummary(
            proposal_id=row["proposal_id"],
            submitted_reviews=row["count"],
            mean_score=row["mean"],
            min_score=row["low"],
            max_score=row["high"],
        )
        for row in figures
    ]
    reviewed = {summary.proposal_id for summary in summaries}
    ReviewSummary.objects.filter(proposal_id__in=[pk for pk in ids if pk not in reviewed]).delete()
    ReviewSummary.objects.bulk_create(
        summaries,
        update_conflicts=True,
        unique_fields=["proposal"],
        update_fields=["submitted_reviews", "mean_score", "min_score", "max_score"],
    )


def _proposal_set_state(*, proposal: Proposal, state: str, by: User | None, why: str) -> None:
    before = proposal.state
    if before == state:
        return
    proposal.state = state
    proposal._audit_recorded = True  # type: ignore[attr-defined]  # see reviews.signals
    proposal.save(update_fields=["state", "updated_at"])
    audit_record(
        action=AuditAction.PROPOSAL_STATE,
        actor=by,
        summary=f"“{proposal.title}”: {before} → {state} ({why})",
        object_type="proposal",
        object_id=proposal.pk,
        proposal=proposal,
        before={"state": before},
        after={"state": state, "why": why},
    )


# --- Conflicts ---------------------------------------------------------------------------------


def _conflict_set(
    *, proposal: Proposal, user: User, kind: str, reason: str, by: User, action: AuditAction
) -> Conflict:
    existing = Conflict.objects.select_for_update().filter(proposal=proposal, user=user).first()
    before = {"kind": existing.kind, "reason": existing.reason} if existing else None
    conflict, _ = Conflict.objects.update_or_create(
        proposal=proposal,
        user=user,
        defaults={"kind": kind, "reason": reason.strip(), "set_by": by, "set_at": timezone.now()},
    )
    audit_record(
        action=action,
        actor=by,
        summary=f"{ConflictKind(kind).label}: {user.email} / “{proposal.title}”",
        object_type="conflict",
        object_id=conflict.pk,
        proposal=proposal,
        before=before,
        after={"kind": kind, "reason": conflict.reason, "user": user.email},
    )
    return conflict


@transaction.atomic
def conflict_declare(*, user: User, proposal: Proposal, reason: str = "") -> Conflict:
    """A chair declares a conflict with a proposal; it disappears from their view at once."""
    if len(reason) > 500:
        raise ValidationError("Keep the reason under 500 characters.")
    if not may(user, "reviews.declare_conflict", proposal):
        raise PermissionDenied("You cannot declare a conflict on this proposal.")
    return _conflict_set(
        proposal=proposal,
        user=user,
        kind=ConflictKind.DECLARED,
        reason=reason,
        by=user,
        action=AuditAction.CONFLICT_DECLARED,
    )


def _admin_conflict_checks(*, by: User, user: User, proposal: Proposal, reason: str) -> None:
    _ensure_admin(by)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason; it goes into the audit trail."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    if proposal.state == ProposalState.DRAFT:
        raise ValidationError("This proposal is a draft; the chairs do not see it yet.")
    del user


@transaction.atomic
def conflict_add(*, by: User, user: User, proposal: Proposal, reason: str) -> Conflict:
    """An admin marks ``user`` as conflicted with ``proposal``."""
    _admin_conflict_checks(by=by, user=user, proposal=proposal, reason=reason)
    return _conflict_set(
        proposal=proposal,
        user=user,
        kind=ConflictKind.ADDED,
        reason=reason,
        by=by,
        action=AuditAction.CONFLICT_ADDED,
    )


@transaction.atomic
def conflict_lift(*, by: User, user: User, proposal: Proposal, reason: str) -> Conflict:
    """An admin lifts a conflict (automatic or declared) of ``user`` with ``proposal``."""
    _admin_conflict_checks(by=by, user=user, proposal=proposal, reason=reason)
    return _conflict_set(
        proposal=proposal,
        user=user,
        kind=ConflictKind.LIFTED,
        reason=reason,
        by=by,
        action=AuditAction.CONFLICT_LIFTED,
    )


# --- Decisions ---------------------------------------------------------------------------------


def _decision_snapshot(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome,
        "rationale": decision.rationale,
        "version": decision.version,
        "decided_by": decision.decided_by.email if decision.decided_by else None,
    }


def _decision_problems(
    *,
    by: User,
    proposal: Proposal,
    readiness: selectors.DecisionReadiness,
) -> list[str]:
    if proposal.state == ProposalState.WITHDRAWN:
        return ["it was withdrawn by the sponsor"]
    if proposal.state == ProposalState.DRAFT:
        return ["it is a draft"]
    if not may(by, "reviews.decide_proposal", proposal):
        if may(by, "reviews.view_proposal", proposal) and not by.is_superuser:
            return ["submit your own review first: you decide on the reviews you can see"]
        raise PermissionDenied("You cannot decide this proposal.")
    if not readiness.ready:
        return [
            f"it needs {readiness.required} submitted review"
            f"{'s' if readiness.required != 1 else ''} by non-conflicted reviewers and has "
            f"{readiness.counted}"
        ]
    return []


@transaction.atomic
def decisions_make(
    *,
    by: User,
    proposals: Sequence[Proposal],
    outcome: str,
    rationale: str,
    expected_versions: Mapping[int, int],
    confirm_overfill: bool = False,
    now: dt.datetime | None = None,
) -> list[Decision]:
    """Decide one or many proposals of one conference: all succeed or nothing changes.

    ``expected_versions`` maps proposal id to the decision version the chair saw (0: none).
    """
    now = now or timezone.now()
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": "Choose accept, waitlist or reject."})
    rationale = rationale.strip()
    if not rationale:
        raise ValidationError({"rationale": "Give the rationale; the sponsor will read it."})
    if len(rationale) > TEXT_MAX:
        raise ValidationError({"rationale": f"Keep it under {TEXT_MAX} characters."})
    if not proposals:
        raise ValidationError("Choose at least one proposal.")
    conference_ids = {p.conference_id for p in proposals}
    if len(conference_ids) != 1:
        raise ValidationError("Decide proposals of one conference at a time.")
    locked = list(
        Proposal.objects.select_for_update(of=("self",))
        .filter(pk__in=[p.pk for p in proposals])
        .select_related("conference", "organisation", "decision", "decision__decided_by")
        .order_by("pk")
    )
    if len(locked) != len(proposals):
        raise ValidationError("A chosen proposal no longer exists; reload the page.")
    conference = locked[0].conference
    readiness = selectors.decision_readiness(conference=conference, proposals=locked)
    problems: list[str] = []
    for proposal in locked:
        for problem in _decision_problems(
            by=by, proposal=proposal, readiness=readiness[proposal.pk]
        ):
            problems.append(f"“{proposal.title}”: {problem}.")
    if problems:
        raise ValidationError(problems)
    stale = []
    for proposal in locked:
        current = getattr(proposal, "decision", None)
        current_version = current.version if current is not None else 0
        if current_version != expected_versions.get(proposal.pk, 0):
            stale.append(current)
    if stale:
        newest = stale[0]
        raise StaleWrite(
            (
                f"“{newest.proposal.title}” was decided by "
                f"{newest.decided_by.get_full_name() if newest.decided_by else 'someone'} "
                "since this page loaded."
            )
            if newest is not None
            else "A decision was removed since this page loaded.",
            current=newest,
        )
    if outcome == DecisionOutcome.ACCEPT and not confirm_overfill:
        overfull = selectors.overfilled_tracks(
            conference=conference,
            accepting=[p for p in locked if p.state != ProposalState.ACCEPTED],
        )
        if overfull:
            raise OverCapacity(overfull)
    decisions = []
    for proposal in locked:
        current = getattr(proposal, "decision", None)
        before = _decision_snapshot(current)
        decision = current or Decision(proposal=proposal, version=0)
        decision.outcome = outcome
        decision.rationale = rationale
        decision.decided_by = by
        decision.decided_at = now
        decision.version += 1
        decision.save()
        audit_record(
            action=AuditAction.DECISION_CHANGED if before else AuditAction.DECISION_MADE,
            actor=by,
            summary=f"{DecisionOutcome(outcome).label}: “{proposal.title}” (v{decision.version})",
            object_type="decision",
            object_id=decision.pk,
            proposal=proposal,
            before=before,
            after=_decision_snapshot(decision),
        )
        _proposal_set_state(proposal=proposal, state=OUTCOME_STATES[outcome], by=by, why="decision")
        decisions.append(decision)
    return decisions


# --- Notifications -----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def placeholders_unknown(text: str) -> list[str]:
    """Placeholders in ``text`` that templates do not offer."""
    return sorted({m.group(1) for m in _PLACEHOLDER.finditer(text)} - PLACEHOLDERS.keys())


def render_placeholders(text: str, values: Mapping[str, str]) -> str:
    """Fill ``{{ name }}`` placeholders; plain substitution, so sponsors' text cannot inject
    template code."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


@transaction.atomic
def notification_template_update(
    *, by: User, template: NotificationTemplate, subject: str, body: str
) -> NotificationTemplate:
    if not (by.is_superuser or may(by, "reviews.notify", template.conference)):
        raise PermissionDenied("You cannot change this conference's e-mails.")
    errors: dict[str, str] = {}
    for name, text in (("subject", subject), ("body", body)):
        unknown = placeholders_unknown(text)
        if unknown:
            errors[name] = (
                f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: "
                + ", ".join("{{ " + u + " }}" for u in unknown)
                + ". Available: "
                + ", ".join("{{ " + p + " }}" for p in PLACEHOLDERS)
                + "."
            )
    if "\n" in subject or "\r" in subject:
        errors["subject"] = "The subject must be one line."
    if not subject.strip():
        errors["subject"] = "Write a subject."
    if not body.strip():
        errors["body"] = "Write the message."
    if errors:
        raise ValidationError(errors)
    before = {"subject": template.subject, "body": template.body}
    template.subject = subject.strip()
    template.body = body.strip() + "\n"
    template.updated_by = by
    template.full_clean()
    template.save()
    audit_record(
        action=AuditAction.TEMPLATE_CHANGED,
        actor=by,
        summary=f"{template.get_outcome_display()} e-mail template changed",
        object_type="notification_template",
        object_id=template.pk,
        conference=template.conference,
        before=before,
        after={"subject": template.subject, "body": template.body},
    )
    return template


@dataclass(frozen=True)
class RenderedMessage:
    proposal: Proposal
    recipients: list[str]
    subject: str
    body: str
    idempotency_key: str
    already_queued: bool


def idempotency_key_for(decision: Decision) -> str:
    """One message per decision version: re-queueing the same decision is a no-op."""
    return f"decision:{decision.pk}:v{decision.version}"


def notifications_render(
    *,
    conference: Conference,
    proposals: Sequence[Proposal],
    url_for: Callable[[Proposal], str],
) -> list[RenderedMessage]:
    """The e-mails the decided ``proposals`` would get, for preview and queueing."""
    templates = {t.outcome: t for t in NotificationTemplate.objects.filter(conference=conference)}
    feedback = selectors.public_feedback_many(proposals=proposals)
    recipients = selectors.sponsor_recipients(proposals=proposals)
    keys = {idempotency_key_for(p.decision): p for p in proposals}
    queued = set(
        OutboxMessage.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )
    )
    rendered = []
    for proposal in proposals:
        decision = proposal.decision
        template = templates[decision.outcome]
        reviews_text = "\n\n".join(
            f"Reviewer {i}:\n{text}" for i, text in enumerate(feedback[proposal.pk], start=1)
        )
        values = {
            "sponsor": proposal.organisation.name if proposal.organisation else "",
            "proposal": proposal.title,
            "conference": conference.name,
            "decision": DECISION_WORDS[decision.outcome],
            "rationale": decision.rationale,
            "feedback": reviews_text or "(no written feedback)",
            "proposal_url": url_for(proposal),
        }
        key = idempotency_key_for(decision)
        rendered.append(
            RenderedMessage(
                proposal=proposal,
                recipients=recipients.get(proposal.organisation_id or 0, []),
                subject=" ".join(render_placeholders(template.subject, values).split()),
                body=render_placeholders(template.body, values),
                idempotency_key=key,
                already_queued=key in queued,
            )
        )
    return rendered


@dataclass(frozen=True)
class QueueResult:
    queued: list[OutboxMessage]
    skipped_already_queued: int
    skipped_no_recipients: list[str]


@transaction.atomic
def notifications_queue(
    *,
    by: User,
    conference: Conference,
    proposals: Sequence[Proposal],
    url_for: Callable[[Proposal], str],
) -> QueueResult:
    """Queue the decision e-mails of ``proposals`` in the outbox; each is sent once after commit."""
    if not may(by, "reviews.notify", conference):
        raise PermissionDenied("You cannot send this conference's e-mails.")
    undecided = [p.title for p in proposals if getattr(p, "decision", None) is None]
    if undecided:
        raise ValidationError(f"Not decided yet: {', '.join(undecided)}.")
    queued: list[OutboxMessage] = []
    already = 0
    no_recipients = []
    for message in notifications_render(
        conference=conference, proposals=proposals, url_for=url_for
    ):
        if not message.recipients:
            no_recipients.append(message.proposal.title)
            continue
        outbox, created = OutboxMessage.objects.get_or_create(
            idempotency_key=message.idempotency_key,
            defaults={
                "conference": conference,
                "proposal": message.proposal,
                "recipients": message.recipients,
                "subject": message.subject,
                "body": message.body,
                "created_by": by,
            },
        )
        if not created:
            already += 1
            continue
        audit_record(
            action=AuditAction.NOTIFICATION_QUEUED,
            actor=by,
            summary=f"E-mail queued for “{message.proposal.title}”: {message.subject}",
            object_type="outbox_message",
            object_id=outbox.pk,
            proposal=message.proposal,
            after={
                "to": message.recipients,
                "subject": message.subject,
                "key": outbox.idempotency_key,
            },
        )
        queued.append(outbox)
    from reviews.tasks import outbox_send_later  # tasks import services

    for outbox in queued:
        transaction.on_commit(partial(outbox_send_later, outbox.pk))
    return QueueResult(queued, already, no_recipients)


class DeliveryFailed(Exception):
    """The mail server refused or could not be reached; the task retries."""


def _message_id(key: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "expo.invalid"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<expo.{digest}@{domain}>"


def outbox_deliver(*, message_id: int, now: dt.datetime | None = None) -> bool:
    """Send one outbox message unless it was sent already; True when it was sent now.

    The row is locked while sending, so a duplicate task waits and then finds it sent. The
    connection to the mail server is opened here and closed (SMTP ``QUIT``) only after the
    commit, so that between the server's acceptance (its ``250`` to ``DATA``) and the commit
    recording it there are only two writes and the commit itself. A process that dies in that
    window sends the message again when the task is redelivered; the copy carries the same
    Message-ID (derived from the idempotency key), so mail clients that deduplicate show it
    once. See docs/operations.md.
    """
    mailer = mailers.default
    failure: Exception | None = None
    try:
        with transaction.atomic():
            # The conference and proposal for the audit event are read now, not after the
            # server accepted the message; only the outbox row is locked.
            message = (
                OutboxMessage.objects.select_for_update(of=("self",))
                .select_related("conference", "proposal")
                .filter(pk=message_id)
                .first()
            )
            if message is None or message.status == OutboxStatus.SENT:
                return False
            message.attempts += 1
            email = EmailMessage(
                subject=message.subject,
                body=message.body,
                to=list(message.recipients),
                headers={"Message-ID": _message_id(message.idempotency_key)},
            )
            try:
                mailer.open()
                # The connection stays open: send_messages closes only one it opened itself.
                mailer.send_messages([email])
            except Exception as error:  # the mail backend's errors are not ours to enumerate
                message.status = OutboxStatus.FAILED
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                message.save(update_fields=["status", "attempts", "last_error"])
                failure = error
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = now or timezone.now()
                message.last_error = ""
                message.save(update_fields=["status", "attempts", "last_error", "sent_at"])
                audit_record(
                    action=AuditAction.NOTIFICATION_SENT,
                    actor=None,
                    summary=f"E-mail sent: {message.subject}",
                    object_type="outbox_message",
                    object_id=message.pk,
                    conference=message.conference,
                    proposal=message.proposal,
                    after={"to": message.recipients, "attempts": message.attempts},
                )
    finally:
        _mailer_close(mailer)
    if failure is not None:
        raise DeliveryFailed(str(failure)) from failure
    return True


def _mailer_close(mailer: BaseEmailBackend) -> None:
    """Say QUIT; delivery is already recorded, so a server that answers badly is only logged."""
    try:
        mailer.close()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Mail connection not closed cleanly after delivery: %s", error)
