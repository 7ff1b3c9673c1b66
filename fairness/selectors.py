"""Reads for the fairness dashboard. Query counts are pinned in tests/fairness.

``decision_table`` turns one query set over the proposals of a conference and its earlier
editions into the arrays of ``fairness.report.DecisionTable`` (five queries in all, whatever the
number of proposals). ``hidden_proposal_ids`` is the conflict rule: the reviews app's
``conflicted_proposal_ids`` for every edition, so that a conflicted cochair's figures, charts,
exports and drill-downs never count the proposals they are conflicted with.
"""

from collections.abc import Sequence

import numpy as np
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models import FloatField as FloatFieldType

from expo.accounts.models import User
from expo.conferences.models import Conference, ConferenceChair, ExpoFormat, Topic
from expo.proposals.models import Proposal, ProposalState
from expo.sponsors.models import CompanySize, Region, SponsorTier
from fairness.models import FairnessReport
from fairness.report import (
    COLUMNS,
    MAX_EDITIONS,
    STAGES,
    DecisionTable,
    Edition,
    input_fingerprint,
    parameters_key,
    table_empty,
)
from ranking.models import RelevanceModel, RelevanceScore
from reviews.conflicts import conflicted_proposal_ids
from reviews.models import DECIDED_STATES, ReviewSettings
from reviews.selectors import proposals_visible_to

FIRST_TIME = "first-time"
RETURNING = "returning"
VALUE_LABELS: dict[str, dict[str, str]] = {
    "tier": dict(SponsorTier.choices),
    "size": dict(CompanySize.choices),
    "region": dict(Region.choices),
    "format": {ExpoFormat.TALK: "Talk or demo", ExpoFormat.WORKSHOP: "Workshop"},
    "first_time": {FIRST_TIME: "First-time sponsor", RETURNING: "Returning sponsor"},
}
# The reviews app's default when a conference has no settings row.
DEFAULT_REQUIRED_REVIEWS = ReviewSettings._meta.get_field("required_reviews").get_default()


def conferences_for(*, user: User) -> QuerySet[Conference]:
    """Conferences whose fairness dashboard ``user`` may open: all for admins, else chaired."""
    if user.is_superuser:
        return Conference.objects.order_by("-starts_on", "name")
    return Conference.objects.filter(conferencechair__user=user).order_by("-starts_on", "name")


def editions_of(*, conference: Conference) -> list[Conference]:
    """The conference and the editions before it, oldest first (at most ``MAX_EDITIONS``).

    Every conference on the site is taken as an edition of one series (an Expo site serves one
    research conference); "before" means it started earlier.
    """
    # The current conference sorts first: every other one started strictly earlier.
    found = list(
        Conference.objects.filter(Q(starts_on__lt=conference.starts_on) | Q(pk=conference.pk))
        .select_related("review_settings")
        .order_by("-starts_on", "-pk")[:MAX_EDITIONS]
    )
    return list(reversed(found))


def _edition(conference: Conference) -> Edition:
    return Edition(
        conference_id=conference.pk,
        label=f"{conference.starts_on.isoformat()} {conference.pk:09d}",
        name=conference.name,
        short=conference.slug,
    )


def _required_reviews(conference: Conference) -> int:
    settings = getattr(conference, "review_settings", None)
    return settings.required_reviews if settings is not None else int(DEFAULT_REQUIRED_REVIEWS)


def decision_table(
    *, conference: Conference, editions: Sequence[Conference] | None = None
) -> DecisionTable:
    """Every submitted, not withdrawn proposal of ``conference`` and its earlier editions.

    "Reviewed" means at least the conference's required number of submitted reviews, or decided.
    The relevance score is the newest score by the edition's active model when it has one,
    else the newest topical score — one kind per edition, so that score bands do not mix scales.
    """
    if editions is None:
        editions = editions_of(conference=conference)
    edition_ids = [e.pk for e in editions]
    topics = tuple(
        Topic.objects.filter(conference=conference)
        .order_by("position", "name")
        .values_list("name", flat=True)
    )
    active = {
        conference_id: (pk, version)
        for conference_id, pk, version in RelevanceModel.objects.filter(
            conference_id__in=edition_ids, status=RelevanceModel.Status.ACTIVE
        ).values_list("conference_id", "pk", "version")
    }
    newest = ("-created_at", "-pk")
    learned = (
        Subquery(
            RelevanceScore.objects.filter(
                proposal=OuterRef("pk"), model_id__in=[pk for pk, _ in active.values()]
            )
            .order_by(*newest)
            .values("score")[:1]
        )
        if active
        else Value(None, output_field=FloatFieldType())
    )
    topical = Subquery(
        RelevanceScore.objects.filter(proposal=OuterRef("pk"), model__isnull=True)
        .order_by(*newest)
        .values("score")[:1]
    )
    rows = list(
        Proposal.objects.filter(conference_id__in=edition_ids)
        .exclude(state__in=[ProposalState.DRAFT, ProposalState.WITHDRAWN])
        .annotate(
            submitted_reviews=Count("reviews", filter=Q(reviews__version__gt=0)),
            learned_score=learned,
            topical_score=topical,
            track_name=F("track__name"),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "conference_id",
            "state",
            "format",
            "track_name",
            "sponsor_tier",
            "sponsor_size",
            "sponsor_region",
            "first_time_sponsor",
            "submitted_reviews",
            "learned_score",
            "topical_score",
        )
    )
    current_kind = _score_kind(conference.pk in active, rows, conference.pk)
    score_label = (
        f"relevance score (learned model v{active[conference.pk][1]})"
        if conference.pk in active
        else "topical relevance score: similarity to the conference's topics, not a probability"
        if current_kind == "topical"
        else ""
    )
    if not rows:
        return table_empty(
            current=conference.pk, editions=[_edition(e) for e in editions], topics=topics
        )
    links = Proposal.topics.through.objects.filter(
        proposal__conference_id__in=edition_ids, topic__name__in=topics
    ).values_list("proposal_id", "topic__name")
    columns = list(zip(*rows, strict=True))
    proposal_id = np.asarray(columns[0], dtype=np.int64)
    conference_id = np.asarray(columns[1], dtype=np.int64)
    state = np.asarray(columns[2], dtype=object)
    required = {e.pk: _required_reviews(e) for e in editions}
    decided = np.isin(state, list(DECIDED_STATES))
    reviews = np.asarray(columns[9], dtype=np.int64)
    needed = np.asarray([required[int(c)] for c in conference_id], dtype=np.int64)
    has_model = np.isin(conference_id, list(active))
    learned_score = np.asarray(columns[10], dtype=np.float64)  # None becomes NaN
    topical_score = np.asarray(columns[11], dtype=np.float64)
    first_time = np.asarray(
        [FIRST_TIME if v is True else RETURNING if v is False else "" for v in columns[8]],
        dtype=object,
    )
    values = {
        "format": np.asarray(columns[3], dtype=object),
        "track": np.asarray([v or "" for v in columns[4]], dtype=object),
        "tier": np.asarray(columns[5], dtype=object),
        "size": np.asarray(columns[6], dtype=object),
        "region": np.asarray(columns[7], dtype=object),
        "first_time": first_time,
    }
    row_of = {int(pk): i for i, pk in enumerate(proposal_id)}
    topic_index = {name: j for j, name in enumerate(topics)}
    topic_matrix = np.zeros((len(rows), len(topics)), dtype=bool)
    for proposal, name in links:
        if proposal in row_of:
            topic_matrix[row_of[proposal], topic_index[name]] = True
    return DecisionTable(
        current=conference.pk,
        editions=tuple(_edition(e) for e in editions),
        proposal_id=proposal_id,
        conference_id=conference_id,
        reviewed=decided | (reviews >= needed),
        decided=decided,
        accepted=state == ProposalState.ACCEPTED,
        columns={name: values[name] for name in COLUMNS},
        topics=topics,
        topic_matrix=topic_matrix,
        score=np.where(has_model, learned_score, topical_score),
        score_kind=current_kind,
        score_label=score_label,
        value_labels=VALUE_LABELS,
    )


def _score_kind(
    has_model: bool, rows: Sequence[tuple[object, ...]], conference_id: int
) -> str | None:
    if has_model:
        return "learned"
    if any(row[1] == conference_id and row[11] is not None for row in rows):
        return "topical"
    return None


def hidden_proposal_ids(
    *, user: User, conference: Conference, editions: Sequence[Conference] | None = None
) -> frozenset[int]:
    """Proposals left out of everything ``user`` sees on the dashboard: none for admins (as in
    the review workspace, admins see every proposal); for a cochair, the proposals of this
    conference and of its earlier editions they are conflicted with (3 queries per edition)."""
    if user.is_superuser:
        return frozenset()
    hidden: set[int] = set()
    for edition in editions if editions is not None else editions_of(conference=conference):
        hidden |= conflicted_proposal_ids(user=user, conference=edition)
    return frozenset(hidden)


def chair_users(*, conference: Conference) -> list[User]:
    """The cochairs of ``conference`` (their scopes are precomputed by the refresh task)."""
    return [
        chair.user
        for chair in ConferenceChair.objects.filter(conference=conference).select_related("user")
    ]


def report_scopes(
    *, conference: Conference, editions: Sequence[Conference]
) -> dict[str, frozenset[int]]:
    """Every viewer scope the refresh task keeps reports for, by parameters key: everything
    (admins, cochairs without conflicts) and each cochair's conflicts."""
    scopes: dict[str, frozenset[int]] = {}
    chair_scopes = [
        hidden_proposal_ids(user=user, conference=conference, editions=editions)
        for user in chair_users(conference=conference)
    ]
    for hidden in [frozenset(), *chair_scopes]:
        scopes[parameters_key(hidden=hidden)] = hidden
    return scopes


def reports_current(*, conference: Conference) -> bool:
    """Whether the conference's cached reports are what ``fairness.services.reports_refresh``
    would leave: one per stage and scope, each computed from the current input.

    Reads the input and hashes it; computes no report. 8 queries, plus 3 per cochair and
    edition (the cochairs' conflicts).
    """
    editions = editions_of(conference=conference)
    table = decision_table(conference=conference, editions=editions)
    expected = {
        (key, stage): input_fingerprint(table, stage=stage, hidden=hidden)
        for key, hidden in report_scopes(conference=conference, editions=editions).items()
        for stage in STAGES
    }
    stored = {
        (key, stage): fingerprint
        for key, stage, fingerprint in FairnessReport.objects.filter(
            conference=conference
        ).values_list("parameters_key", "stage", "input_fingerprint")
    }
    return stored == expected


def drilldown_proposals(
    *, user: User, conference: Conference, proposal_ids: Sequence[int]
) -> list[Proposal]:
    """The proposals of a slice that ``user`` may open in the review workspace, by title."""
    return list(
        proposals_visible_to(user=user, conference=conference)
        .filter(pk__in=list(proposal_ids))
        .select_related("organisation", "track")
        .order_by("title", "pk")
    )
