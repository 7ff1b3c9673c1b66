"""Helpers to build review data for tests. Reviews and decisions are written through the real
services (never faked rows), so that tests exercise the same paths as the pages."""

from collections.abc import Sequence

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.proposals.models import Proposal
from reviews import services
from reviews.models import Decision, Review, ReviewCriterion
from tests.factories import ChairFactory, MembershipFactory, ProposalFactory

RATIONALE = "Clear research contribution with a live demo; the evaluation could be broader."


def criteria_of(conference: Conference) -> list[ReviewCriterion]:
    return list(ReviewCriterion.objects.filter(conference=conference))


def review_data(
    conference: Conference,
    score: int | Sequence[int] = 4,
    *,
    recommendation: str = "weak_accept",
    confidence: int = 4,
    rationale: str = RATIONALE,
    private_comment: str = "",
) -> services.ReviewData:
    criteria = criteria_of(conference)
    scores = [score] * len(criteria) if isinstance(score, int) else list(score)
    return services.ReviewData(
        scores={c.pk: s for c, s in zip(criteria, scores, strict=True)},
        recommendation=recommendation,
        confidence=confidence,
        rationale=rationale,
        private_comment=private_comment,
    )


def submit_review(
    reviewer: User, proposal: Proposal, score: int | Sequence[int] = 4, **kwargs: object
) -> Review:
    existing = Review.objects.filter(reviewer=reviewer, proposal=proposal).first()
    return services.review_submit(
        reviewer=reviewer,
        proposal=proposal,
        data=review_data(proposal.conference, score, **kwargs),  # type: ignore[arg-type]
        expected_version=existing.version if existing else 0,
    )


def decide(
    by: User, proposal: Proposal, outcome: str = "accept", rationale: str = "Strong fit."
) -> Decision:
    current = Decision.objects.filter(proposal=proposal).first()
    return services.decisions_make(
        by=by,
        proposals=[proposal],
        outcome=outcome,
        rationale=rationale,
        expected_versions={proposal.pk: current.version if current else 0},
        confirm_overfill=True,
    )[0]


def submitted_proposal(conference: Conference, **kwargs: object) -> Proposal:
    kwargs.setdefault("state", "submitted")
    return ProposalFactory(conference=conference, **kwargs)


def sponsor_with_proposal(conference: Conference, **kwargs: object) -> tuple[User, Proposal]:
    membership = MembershipFactory(role="owner")
    proposal = submitted_proposal(conference, organisation=membership.organisation, **kwargs)
    return membership.user, proposal


def chair(conference: Conference, **kwargs: object) -> User:
    return ChairFactory(conference=conference, **kwargs).user


def conflicted_chair(conference: Conference, proposal: Proposal) -> User:
    """A chair whose e-mail domain is the proposal's organisation's domain."""
    domain = proposal.organisation.domains[0]
    return ChairFactory(conference=conference, user__email=f"insider@{domain}").user


def bulk_reviews(
    proposals: Sequence[Proposal], reviewers: Sequence[User], scores: Sequence[int]
) -> None:
    """Submitted reviews written in bulk, for tests that need many (query counts, paging).
    Same rows as ``services.review_submit`` writes, without one transaction per review."""
    from django.utils import timezone

    from reviews.models import CriterionScore

    if not proposals:
        return
    criteria = criteria_of(proposals[0].conference)
    now = timezone.now()
    reviews = Review.objects.bulk_create(
        Review(
            proposal=proposal,
            reviewer=reviewer,
            recommendation="weak_accept",
            confidence=3,
            rationale="Bulk review for a test with many proposals.",
            weighted_score=float(score),
            version=1,
            submitted_at=now,
            revised_at=now,
        )
        for proposal in proposals
        for reviewer, score in zip(reviewers, scores, strict=True)
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(review=review, criterion=criterion, score=int(review.weighted_score or 1))
        for review in reviews
        for criterion in criteria
    )
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(state="under_review")
    services.review_summaries_refresh(proposal_ids=[p.pk for p in proposals])
