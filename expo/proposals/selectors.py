"""Reads for proposal pages and the API. Query counts are pinned in tests."""

from django.db.models import Prefetch, QuerySet

from expo.accounts.models import User
from expo.conferences.models import Topic
from expo.proposals.models import Proposal


def proposals_for_member(*, user: User) -> QuerySet[Proposal]:
    """Proposals of every organisation ``user`` belongs to, shaped for the dashboard."""
    if not user.is_authenticated:
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(organisation__memberships__user=user)
        .select_related("conference", "organisation", "track")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("position", "name")))
        .order_by("-updated_at", "-pk")
    )


def proposal_for_member(*, user: User, pk: int) -> Proposal | None:
    """One proposal of ``user``'s organisations, or None (the caller answers 404)."""
    return (
        Proposal.objects.filter(pk=pk, organisation__memberships__user=user)
        .select_related("conference", "organisation", "track", "created_by")
        .prefetch_related("topics", "speakers")
        .first()
    )
