"""Reads for the insights pages."""

from django.db.models import Count, Max, Prefetch, QuerySet

from expo.conferences.models import Conference, Topic
from expo.proposals.models import Proposal, ProposalState
from insights.check import TopicText
from insights.what_worked import ProposalRecord


def topics_for_check(*, conference: Conference) -> list[TopicText]:
    """The conference's topics as the pure check needs them (one query)."""
    return [
        TopicText(id=pk, name=name, description=description)
        for pk, name, description in conference.topics.order_by("position", "name").values_list(
            "pk", "name", "description"
        )
    ]


def _decided_before(*, conference: Conference) -> QuerySet[Proposal]:
    return Proposal.objects.filter(
        conference__starts_on__lt=conference.starts_on,
        state__in=[ProposalState.ACCEPTED, ProposalState.REJECTED],
    )


def decided_before_fingerprint(*, conference: Conference) -> str:
    """Changes whenever an earlier edition's decided proposals change (one query)."""
    summary = _decided_before(conference=conference).aggregate(
        count=Count("pk"), latest=Max("updated_at"), last=Max("pk")
    )
    latest = summary["latest"].isoformat() if summary["latest"] else "-"
    return f"{summary['count']}:{summary['last']}:{latest}"


def decided_proposals_before(*, conference: Conference) -> tuple[list[ProposalRecord], list[str]]:
    """Accepted and rejected proposals of conferences that started before ``conference``, as
    anonymous records (no title, sponsor or people), and those conferences' names. 3 queries."""
    earlier = Conference.objects.filter(starts_on__lt=conference.starts_on)
    proposals = (
        _decided_before(conference=conference)
        .only("pk", "state", "format", "abstract", "outline")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("pk", "name")))
        .order_by("pk")
    )
    records = [
        ProposalRecord(
            accepted=p.state == ProposalState.ACCEPTED,
            format=p.format,
            topics=tuple(t.name for t in p.topics.all()),
            abstract=p.abstract,
            outline=p.outline,
        )
        for p in proposals
    ]
    names = list(
        earlier.filter(proposals__state__in=[ProposalState.ACCEPTED, ProposalState.REJECTED])
        .distinct()
        .order_by("-starts_on")
        .values_list("name", flat=True)
    )
    return records, names
