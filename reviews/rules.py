"""Review permissions: one table that pages, exports and templates all ask (HotCRP-style).

Roles: *admin* = superuser; *cochair* = ``ConferenceChair`` of the proposal's conference.
Conflicts of interest (``reviews.conflicts``) remove a chair's access to a proposal entirely;
the blind rule hides other reviews until the chair has submitted their own or it is decided.
Admins see everything (they run the site) but cannot review or decide where conflicted.
"""

from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser

from expo.conferences.models import Conference, ConferenceChair
from expo.conferences.selectors import is_chair_of
from expo.proposals.models import Proposal, ProposalState
from expo.rules import is_admin
from reviews.conflicts import conflict_status
from reviews.models import DECIDABLE_STATES, REVIEWABLE_STATES, Decision, Review


def _cached(proposal: Proposal, key: str, user: Any, compute: Any) -> bool:
    cache: dict[tuple[str, int], bool] = proposal.__dict__.setdefault("_review_rules", {})
    if (key, user.pk) not in cache:
        cache[(key, user.pk)] = bool(compute())
    return cache[(key, user.pk)]


@rules.predicate
def chairs_conference(user: Any, conference: Conference | None) -> bool:
    if conference is None:
        return False
    return is_chair_of(user=user, conference=conference)


@rules.predicate
def chairs_proposal_conference(user: Any, proposal: Proposal | None) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    return _cached(
        proposal,
        "chair",
        user,
        lambda: ConferenceChair.objects.filter(
            conference_id=proposal.conference_id, user=user
        ).exists(),
    )


@rules.predicate
def is_conflicted(user: Any, proposal: Proposal | None) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    return conflict_status(user=user, proposal=proposal).conflicted


@rules.predicate
def is_visible_to_chairs(_user: Any, proposal: Proposal | None) -> bool:
    # Drafts belong to the sponsor until submitted.
    return proposal is not None and proposal.state != ProposalState.DRAFT


@rules.predicate
def is_reviewable(_user: Any, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.state in REVIEWABLE_STATES


@rules.predicate
def is_decidable(_user: Any, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.state in DECIDABLE_STATES


@rules.predicate
def has_submitted_own_review(user: Any, proposal: Proposal | None) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    return _cached(
        proposal,
        "own_review",
        user,
        lambda: Review.objects.filter(proposal=proposal, reviewer=user, version__gt=0).exists(),
    )


@rules.predicate
def is_decided(_user: Any, proposal: Proposal | None) -> bool:
    if proposal is None:
        return False
    # Uses the decision loaded with select_related when there is one, else one query.
    try:
        proposal.decision  # noqa: B018
    except Decision.DoesNotExist:
        return False
    return True


can_view_proposal = is_visible_to_chairs & (
    is_admin | (chairs_proposal_conference & ~is_conflicted)
)

rules.add_perm("reviews.view_workspace", chairs_conference | is_admin)
rules.add_perm("reviews.manage_conference", is_admin)
rules.add_perm("reviews.view_audit", is_admin)
rules.add_perm("reviews.notify", chairs_conference | is_admin)
rules.add_perm("reviews.view_proposal", can_view_proposal)
rules.add_perm(
    "reviews.review_proposal", is_reviewable & chairs_proposal_conference & ~is_conflicted
)
rules.add_perm(
    "reviews.view_reviews",
    can_view_proposal & (is_admin | has_submitted_own_review | is_decided),
)
rules.add_perm(
    "reviews.decide_proposal",
    is_decidable
    & ~is_conflicted
    & (is_admin | (chairs_proposal_conference & has_submitted_own_review)),
)
rules.add_perm(
    "reviews.declare_conflict", is_visible_to_chairs & chairs_proposal_conference & ~is_conflicted
)


def may(user: Any, perm: str, obj: Any = None) -> bool:
    """Ask the table directly. ``user.has_perm`` is not used for review permissions because
    Django answers yes to every question for an active superuser, which would let a
    conflicted admin review or decide."""
    if user is None:
        user = AnonymousUser()
    return bool(rules.has_perm(perm, user, obj))
