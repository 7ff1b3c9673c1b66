"""Reads for proposal pages and the API. Query counts are pinned in tests."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import dateformat, timezone

from expo.accounts.models import User
from expo.conferences.models import ExpoFormat, Topic
from expo.proposals.models import Proposal, ProposalState
from expo.reversing import id_url


def _of_member(user: User) -> QuerySet[Proposal]:
    """Proposals of every organisation ``user`` belongs to, most recently changed first."""
    if not user.is_authenticated:
        return Proposal.objects.none()
    return Proposal.objects.filter(organisation__memberships__user=user).order_by(
        "-updated_at", "-pk"
    )


def proposals_for_member(*, user: User) -> QuerySet[Proposal]:
    """Proposals of every organisation ``user`` belongs to, shaped for the API."""
    return (
        _of_member(user)
        .select_related("conference", "organisation", "track")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("position", "name")))
    )


@dataclass(frozen=True)
class MemberProposalRow:
    """One row of the sponsor's proposal list, every value ready to print (the Jinja2 partial
    templates/jinja2/proposals/dashboard_rows.html escapes them)."""

    url: str
    title: str
    conference_name: str
    organisation_name: str
    format_label: str
    topics: str
    state: str
    state_label: str
    updated_iso: str
    updated_display: str


_FORMAT_LABELS = dict(ExpoFormat.choices)
_STATE_LABELS = dict(ProposalState.choices)


def proposal_rows_for_member(*, user: User) -> list[MemberProposalRow]:
    """``proposals_for_member`` as rows for the sponsor's dashboard, in 2 queries: values,
    not model instances, and the topic names in one query. Times are shown in the current time
    zone, as the ``date`` filter would."""
    values = list(
        _of_member(user).values(
            "pk", "title", "conference__name", "organisation__name", "format", "state", "updated_at"
        )
    )
    topics = topic_names_by_proposal(proposal_ids=[value["pk"] for value in values])
    detail_url = id_url("proposal-detail")
    rows = []
    for value in values:
        updated = timezone.localtime(value["updated_at"])
        rows.append(
            MemberProposalRow(
                url=detail_url(value["pk"]),
                title=value["title"],
                conference_name=value["conference__name"],
                organisation_name=value["organisation__name"] or "",
                format_label=_FORMAT_LABELS.get(value["format"], value["format"]),
                topics=", ".join(topics.get(value["pk"], [])),
                state=value["state"],
                state_label=_STATE_LABELS.get(value["state"], value["state"]),
                updated_iso=dateformat.format(updated, "c"),
                updated_display=dateformat.format(updated, "j M Y, H:i"),
            )
        )
    return rows


def topic_names_by_proposal(*, proposal_ids: Iterable[int]) -> dict[int, list[str]]:
    """The topic names of each proposal, in the conference's topic order (one query)."""
    links = (
        Proposal.topics.through.objects.filter(proposal_id__in=list(proposal_ids))
        .order_by("topic__position", "topic__name")
        .values_list("proposal_id", "topic__name")
    )
    names: dict[int, list[str]] = defaultdict(list)
    for proposal_id, name in links:
        names[proposal_id].append(name)
    return names


def proposal_for_member(*, user: User, pk: int) -> Proposal | None:
    """One proposal of ``user``'s organisations, or None (the caller answers 404)."""
    return (
        Proposal.objects.filter(pk=pk, organisation__memberships__user=user)
        .select_related("conference", "organisation", "track", "created_by")
        .prefetch_related("topics", "speakers")
        .first()
    )
