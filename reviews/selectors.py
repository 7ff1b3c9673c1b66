"""Reads for the review pages, exports and other apps. Query counts are pinned in tests.

``proposals_visible_to`` is the one place that decides which proposals of a conference a user
may see in the review workspace (drafts never; conflicted ones never, except for admins).
Everything a chair can list, search, count or export starts from it.
"""

import datetime as dt
import statistics
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.utils.functional import cached_property

from expo.accounts.models import User
from expo.conferences.models import Conference, ConferenceChair, ExpoFormat, Topic, Track
from expo.conferences.selectors import is_chair_of, remember_chair
from expo.proposals.models import Proposal, ProposalState, Speaker
from expo.proposals.selectors import topic_names_by_proposal
from expo.sponsors.models import Membership
from reviews import calibration
from reviews.conflicts import conflicted_proposal_ids
from reviews.models import (
    DECIDED_STATES,
    RECOMMENDATION_POINTS,
    REVIEWABLE_STATES,
    AuditEvent,
    CriterionScore,
    Decision,
    DecisionOutcome,
    OutboxMessage,
    Review,
    ReviewCriterion,
    ReviewRevision,
    ReviewSettings,
    ReviewSummary,
)

PAGE_SIZE = 50


def reviews_started_count(*, conference: Conference) -> int:
    """Reviews (drafts included) written for the conference so far."""
    return Review.objects.filter(proposal__conference=conference).count()


def review_settings_or_default(*, conference: Conference) -> ReviewSettings:
    """The conference's settings; an unsaved default when they were never created. No query
    when the conference came with them (``workspace_conference``)."""
    if Conference.review_settings.is_cached(conference):
        found = getattr(conference, "review_settings", None)
    else:
        found = ReviewSettings.objects.filter(conference=conference).first()
    return found if found is not None else ReviewSettings(conference=conference)


def workspace_conference(*, slug: str, user: User) -> Conference | None:
    """The conference of a review workspace page, with its review settings and whether
    ``user`` chairs it (remembered for ``is_chair_of``), in one query."""
    queryset = Conference.objects.select_related("review_settings")
    if user.is_authenticated:
        chairs = ConferenceChair.objects.filter(conference=OuterRef("pk"), user_id=user.pk)
        queryset = queryset.annotate(requester_chairs=Exists(chairs))
    conference = queryset.filter(slug=slug).first()
    if conference is not None and user.is_authenticated:
        remember_chair(user=user, conference=conference, chairs=conference.requester_chairs)
    return conference


def criteria_for(*, conference: Conference) -> list[ReviewCriterion]:
    return list(ReviewCriterion.objects.filter(conference=conference))


def conferences_for_reviewer(*, user: User) -> QuerySet[Conference]:
    """Conferences whose review workspace ``user`` may open."""
    if user.is_superuser:
        return Conference.objects.order_by("-starts_on", "name")
    return Conference.objects.filter(conferencechair__user=user).order_by("-starts_on", "name")


def proposals_visible_to(*, user: User, conference: Conference) -> QuerySet[Proposal]:
    """Proposals of ``conference`` that ``user`` may see in the review workspace: submitted
    (not drafts), and for a chair not conflicted. Other apps listing proposals to chairs (slice
    drill-downs, schedules) should start from this too."""
    return _visible_with_hidden(user=user, conference=conference)[0]


def _visible_with_hidden(
    *, user: User, conference: Conference
) -> tuple[QuerySet[Proposal], frozenset[int] | None]:
    """``proposals_visible_to`` and the ids it hides for conflicts (None: the user is no chair
    of the conference, so nothing is visible)."""
    queryset = Proposal.objects.filter(conference=conference).exclude(state=ProposalState.DRAFT)
    if user.is_superuser:
        return queryset, frozenset()
    if not is_chair_of(user=user, conference=conference):
        return Proposal.objects.none(), None
    hidden = conflicted_proposal_ids(user=user, conference=conference)
    return (queryset.exclude(pk__in=hidden) if hidden else queryset), hidden


def proposal_for_reviewer(*, user: User, conference: Conference, pk: int) -> Proposal | None:
    """One proposal for the review page, or None (the caller answers 404)."""
    return (
        proposals_visible_to(user=user, conference=conference)
        .filter(pk=pk)
        .select_related("conference", "organisation", "track", "decision", "decision__decided_by")
        .prefetch_related(
            "speakers", Prefetch("topics", queryset=Topic.objects.order_by("position"))
        )
        .first()
    )


# --- Dashboard ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    q: str = ""
    track: str = ""  # a track id, "none" (no track yet) or "" (any)
    format: str = ""
    topic: int | None = None
    state: str = "active"  # a proposal state, "active" (not withdrawn) or "all"
    mine: str = ""  # "missing", "draft", "submitted" or ""
    disagree: bool = False
    ready: bool = False
    sort: str = "submitted"


SORT_FIELDS: dict[str, str] = {
    "submitted": "submitted_at",
    "title": "title_lower",
    "organisation": "organisation_lower",
    "reviews": "submitted_reviews",
    "score": "visible_score",
    "spread": "visible_spread",
    "normalised": "",  # computed in Python from the per-reviewer z-scores
}
SORT_LABELS: dict[str, str] = {
    "submitted": "submitted",
    "title": "title",
    "organisation": "organisation",
    "reviews": "number of reviews",
    "score": "weighted score",
    "spread": "disagreement",
    "normalised": "normalised score",
}


def annotate_reviews(queryset: QuerySet[Proposal], *, user: User) -> QuerySet[Proposal]:
    """Add review counts and scores; the ``visible_*`` ones are None where the blind rule hides
    scores from ``user`` (no own submitted review, not decided), so that sorting and filtering
    by them leak nothing. Counts and scores come from ``ReviewSummary`` and the user's own
    review from one joined row (a review is unique per proposal and reviewer): no aggregation
    over all reviews, so the query costs the same at 50 proposals and at 5,000."""
    own = Q(my_review__isnull=False)
    queryset = queryset.annotate(
        my_review=FilteredRelation("reviews", condition=Q(reviews__reviewer=user)),
        submitted_reviews=Coalesce(F("review_summary__submitted_reviews"), Value(0)),
        my_submitted=Case(
            When(own & Q(my_review__version__gt=0), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        my_drafts=Case(
            When(own & ~Q(my_review__draft={}), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        mean_score=F("review_summary__mean_score"),
        score_spread=F("review_summary__max_score") - F("review_summary__min_score"),
        is_decided=Case(When(decision__isnull=False, then=Value(True)), default=Value(False)),
    )
    if user.is_superuser:
        return queryset.annotate(
            visible_score=F("mean_score"),
            visible_spread=F("score_spread"),
        )
    sees_scores = Q(my_submitted__gt=0) | Q(decision__isnull=False)
    return queryset.annotate(
        visible_score=Case(When(sees_scores, then=F("mean_score")), output_field=FloatField()),
        visible_spread=Case(When(sees_scores, then=F("score_spread")), output_field=FloatField()),
    )


def _filtered(
    queryset: QuerySet[Proposal], *, filters: DashboardFilters, review_settings: ReviewSettings
) -> QuerySet[Proposal]:
    """The dashboard's filters on a queryset from ``annotate_reviews``."""
    if filters.q:
        words = filters.q.split()
        for word in words[:8]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(abstract__icontains=word)
                | Q(organisation__name__icontains=word)
                | Exists(Speaker.objects.filter(proposal=OuterRef("pk"), name__icontains=word))
            )
    if filters.track == "none":
        queryset = queryset.filter(track__isnull=True)
    elif filters.track:
        queryset = queryset.filter(track_id=int(filters.track))
    if filters.format:
        queryset = queryset.filter(format=filters.format)
    if filters.topic is not None:
        queryset = queryset.filter(
            Exists(
                Proposal.topics.through.objects.filter(
                    proposal_id=OuterRef("pk"), topic_id=filters.topic
                )
            )
        )
    if filters.state == "active":
        queryset = queryset.exclude(state=ProposalState.WITHDRAWN)
    elif filters.state and filters.state != "all":
        queryset = queryset.filter(state=filters.state)
    if filters.mine == "missing":
        queryset = queryset.filter(Q(my_submitted=0) & Q(state__in=REVIEWABLE_STATES))
    elif filters.mine == "draft":
        queryset = queryset.filter(Q(my_submitted=0) & Q(my_drafts__gt=0))
    elif filters.mine == "submitted":
        queryset = queryset.filter(Q(my_submitted__gt=0))
    if filters.disagree:
        threshold = _threshold(review_settings.disagreement_points)
        queryset = queryset.filter(Q(visible_spread__gte=threshold))
    if filters.ready:
        queryset = queryset.filter(_ready_filter(review_settings.required_reviews))
    return queryset


def _threshold(points: Decimal | float) -> float:
    # Weighted scores are floats: 3.0 − 1.0 must count as a 2-point difference.
    return float(points) - 1e-9


def _sorted(queryset: QuerySet[Proposal], sort: str) -> QuerySet[Proposal]:
    descending = sort.startswith("-")
    key = SORT_FIELDS.get(sort.lstrip("-")) or "submitted_at"
    queryset = queryset.annotate(
        title_lower=Lower("title"), organisation_lower=Lower("organisation__name")
    )
    expression = F(key).desc(nulls_last=True) if descending else F(key).asc(nulls_last=True)
    return queryset.order_by(expression, "pk")


@dataclass
class DashboardSummary:
    total: int
    reviewed_by_me: int
    decided: int
    ready: int
    disagree: int
    missing_mine: int
    is_chair: bool

    @property
    def progress_percent(self) -> int:
        done = self.reviewed_by_me if self.is_chair else self.decided
        return round(100 * done / self.total) if self.total else 0


@dataclass
class DashboardRow:
    """One proposal of the dashboard, its values ready to print: the page shows 50 of these,
    and building model instances or formatting them in the template cost more than the
    queries."""

    pk: int
    title: str
    state: str
    state_label: str
    format_label: str
    organisation_name: str
    track_name: str
    topics_shown: list[str]
    topics_more: int
    topics_all: str
    my_submitted: bool
    my_drafts: bool
    awaits_me: bool
    others_label: str
    sees_scores: bool
    mean_display: str
    normalised_display: str
    spread_display: str
    disagrees: bool
    review_url: str = ""  # set by the view


@dataclass
class Dashboard:
    page: Page[DashboardRow]
    summary: DashboardSummary
    settings: ReviewSettings
    is_chair: bool


# What a dashboard row reads of a proposal annotated by annotate_reviews.
_ROW_VALUES = (
    "pk",
    "title",
    "state",
    "format",
    "organisation__name",
    "track_id",  # the name comes from filter_choices: joining tracks tripled the planning time
    "submitted_reviews",
    "my_submitted",
    "my_drafts",
    "is_decided",
    "mean_score",
    "score_spread",
)
_STATE_LABELS = dict(ProposalState.choices)


def _ready_filter(required: int) -> Q:
    return Q(submitted_reviews__gte=required, is_decided=False, state__in=REVIEWABLE_STATES)


@dataclass(frozen=True)
class _Visible:
    """What one user may see of a conference's proposals, worked out once per request."""

    proposals: QuerySet[Proposal]  # proposals_visible_to
    annotated: QuerySet[Proposal]  # the same with annotate_reviews
    hidden: frozenset[int] | None  # conflicted ids; None when nothing is visible at all


def _visible(*, user: User, conference: Conference) -> _Visible:
    proposals, hidden = _visible_with_hidden(user=user, conference=conference)
    return _Visible(proposals, annotate_reviews(proposals, user=user), hidden)


# Normalised scores per (conference, ReviewSettings.scores_token, hidden ids): recomputing the
# per-reviewer z-scores of thousands of reviews took most of the dashboard's time. The token
# changes with every change of a submitted score, so an entry is never stale; a process keeps
# the few most recent ones.
_NORMALISED_CACHE_SIZE = 32


class NormalisedScores(dict[int, calibration.UnitScore]):
    """Unit scores by proposal id, with the ids ranked by normalised z-score (ties by id),
    worked out once per cache entry rather than on every page sorted by them."""

    def _ranked(self, sign: float) -> list[int]:
        ranked = [
            (sign * unit.normalised_z, pk)
            for pk, unit in self.items()
            if unit.normalised_z is not None
        ]
        ranked.sort()
        return [pk for _, pk in ranked]

    @cached_property
    def ascending(self) -> list[int]:
        return self._ranked(1.0)

    @cached_property
    def descending(self) -> list[int]:
        return self._ranked(-1.0)


_normalised_cache: OrderedDict[tuple[int, str, frozenset[int]], NormalisedScores]
_normalised_cache = OrderedDict()
_normalised_cache_lock = threading.Lock()


def normalised_scores(
    *, conference: Conference, visible: _Visible, review_settings: ReviewSettings
) -> NormalisedScores:
    """Per-proposal raw and normalised scores over the submitted reviews of the visible
    proposals (a conflicted chair's are computed without the proposals hidden from them, so
    that nothing of those reviews leaks through a reviewer's mean). Read-only."""
    if visible.hidden is None:
        return NormalisedScores()
    key = (conference.pk, str(review_settings.scores_token), visible.hidden)
    saved = review_settings.pk is not None  # an unsaved default's token means nothing
    with _normalised_cache_lock:
        found = _normalised_cache.get(key) if saved else None
        if found is not None:
            _normalised_cache.move_to_end(key)
            return found
    rows = Review.objects.filter(
        proposal__in=visible.proposals.values("pk"),
        version__gt=0,
        weighted_score__isnull=False,
    ).values_list("reviewer_id", "proposal_id", "weighted_score")
    reviews = [calibration.ScoredReview(r, p, float(s or 0)) for r, p, s in rows]
    scores = NormalisedScores(
        cast(dict[int, calibration.UnitScore], calibration.unit_scores(reviews))
    )
    if saved:
        with _normalised_cache_lock:
            _normalised_cache[key] = scores
            while len(_normalised_cache) > _NORMALISED_CACHE_SIZE:
                _normalised_cache.popitem(last=False)
    return scores


def ordered_ids(*, user: User, conference: Conference, filters: DashboardFilters) -> list[int]:
    """Ids of the dashboard's proposals in its order (for the review page's previous/next)."""
    review_settings = review_settings_or_default(conference=conference)
    visible = _visible(user=user, conference=conference)
    queryset = _filtered(visible.annotated, filters=filters, review_settings=review_settings)
    if filters.sort.lstrip("-") == "normalised":
        scores = normalised_scores(
            conference=conference, visible=visible, review_settings=review_settings
        )
        candidates = _score_candidates(user=user, queryset=queryset)
        return _normalised_order(candidates=candidates, scores=scores, sort=filters.sort)
    return list(_sorted(queryset, filters.sort).values_list("pk", flat=True))


def _score_candidates(*, user: User, queryset: QuerySet[Proposal]) -> list[tuple[int, bool]]:
    """(id, may the user see its scores) for every proposal of ``queryset`` (annotated by
    ``annotate_reviews``), unordered. Run as SQL: the ORM's per-value converters on 2,000
    rows × 2 annotations took ~3 ms, and both values are only tested for truth."""
    annotations = ("my_submitted", "is_decided")
    sql, params = queryset.order_by().values_list("pk", *annotations).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    sees_everything = user.is_superuser  # read once: request.user is a lazy proxy
    return [(pk, bool(sees_everything or mine or decided)) for pk, mine, decided in rows]


def _normalised_order(
    *, candidates: Sequence[tuple[int, bool]], scores: NormalisedScores, sort: str
) -> list[int]:
    """The candidates whose scores the user may see, by normalised z-score (ties by id), and
    after them every other candidate by id."""
    shown = {pk for pk, sees in candidates if sees}
    ranked = scores.descending if sort.startswith("-") else scores.ascending
    scored = [pk for pk in ranked if pk in shown]
    placed = set(scored)
    return scored + sorted(pk for pk, _ in candidates if pk not in placed)


_SUMMARY_NAMES = ("total", "reviewed_by_me", "decided", "ready", "disagree", "missing_mine")


def _summary_counts(
    *,
    user: User,
    conference: Conference,
    hidden: frozenset[int] | None,
    required_reviews: int,
    threshold: float,
    with_candidates: bool = False,
) -> tuple[dict[str, int], list[tuple[int, bool]]]:
    """The dashboard's progress and quick-filter counts over the proposals ``user`` may see,
    withdrawn ones left out, in one query; ``with_candidates``: also those proposals as
    ``_score_candidates`` gives them (the unfiltered list sorted by normalised score needs
    nothing else, and reading them here saves a query over the same rows).

    Plain SQL: the same aggregate built from ``annotate_reviews`` cost the ORM about 5 ms to
    compile on every page load, twice what PostgreSQL needs to run it. It must agree with the
    annotations and ``_ready_filter`` (tests/reviews/test_dashboard.py compares the two on
    drafts, withdrawals, conflicts, decisions and the blind rule)."""
    if hidden is None:  # not a chair of this conference: nothing is visible
        return dict.fromkeys(_SUMMARY_NAMES, 0), []
    quote = connection.ops.quote_name
    proposals = quote(Proposal._meta.db_table)
    summaries = quote(ReviewSummary._meta.db_table)
    reviews = quote(Review._meta.db_table)
    decisions = quote(Decision._meta.db_table)
    reviewable = sorted(str(state) for state in REVIEWABLE_STATES)
    in_reviewable = f"p.state IN ({', '.join(['%s'] * len(reviewable))})"
    mine = "COALESCE(r.version, 0) > 0"  # the user's own review is submitted
    sees = "TRUE" if user.is_superuser else f"({mine} OR d.id IS NOT NULL)"  # the blind rule
    not_hidden = f"AND p.id NOT IN ({', '.join(['%s'] * len(hidden))})" if hidden else ""
    candidates = ""
    if with_candidates:  # the ids as one comma-separated text, and those whose scores show
        if connection.vendor == "postgresql":
            shown_id = f"CASE WHEN {sees} THEN p.id::text END"
            candidates = f", string_agg(p.id::text, ','), string_agg({shown_id}, ',')"
        else:  # SQLite
            shown_id = f"CASE WHEN {sees} THEN p.id END"
            candidates = f", group_concat(p.id, ','), group_concat({shown_id}, ',')"
    sql = f"""
        SELECT
            COUNT(*),
            COUNT(*) FILTER (WHERE {mine}),
            COUNT(*) FILTER (WHERE d.id IS NOT NULL),
            COUNT(*) FILTER (
                WHERE {in_reviewable} AND d.id IS NULL
                AND COALESCE(s.submitted_reviews, 0) >= %s
            ),
            COUNT(*) FILTER (WHERE {sees} AND s.max_score - s.min_score >= %s),
            COUNT(*) FILTER (WHERE {in_reviewable} AND NOT {mine})
            {candidates}
        FROM {proposals} p
        LEFT JOIN {summaries} s ON s.proposal_id = p.id
        LEFT JOIN {reviews} r ON r.proposal_id = p.id AND r.reviewer_id = %s
        LEFT JOIN {decisions} d ON d.proposal_id = p.id
        WHERE p.conference_id = %s AND p.state NOT IN (%s, %s) {not_hidden}
    """  # only table names and placeholders are formatted into the text
    params: list[Any] = [
        *reviewable,
        required_reviews,
        threshold,
        *reviewable,
        user.pk,
        conference.pk,
        ProposalState.DRAFT.value,
        ProposalState.WITHDRAWN.value,
        *sorted(hidden),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    counts = dict(zip(_SUMMARY_NAMES, row[: len(_SUMMARY_NAMES)], strict=True))
    if not with_candidates:
        return counts, []
    ids_text, shown_text = row[len(_SUMMARY_NAMES) :]
    shown = set(map(int, shown_text.split(","))) if shown_text else set()
    ids = list(map(int, ids_text.split(","))) if ids_text else []
    return counts, [(pk, pk in shown) for pk in ids]


def dashboard(
    *, user: User, conference: Conference, filters: DashboardFilters, page_number: int | str = 1
) -> Dashboard:
    """The review workspace: filtered, sorted, paginated proposals with review summaries."""
    review_settings = review_settings_or_default(conference=conference)
    is_chair = is_chair_of(user=user, conference=conference)
    visible = _visible(user=user, conference=conference)
    base = visible.annotated
    threshold = _threshold(review_settings.disagreement_points)
    by_normalised = filters.sort.lstrip("-") == "normalised"
    # Unfiltered (any order), the list is the summary's rows: no COUNT query for the paginator,
    # and in normalised order no second pass over them.
    unfiltered = replace(filters, sort=DashboardFilters.sort) == DashboardFilters()
    counts, candidates = _summary_counts(
        user=user,
        conference=conference,
        hidden=visible.hidden,
        required_reviews=review_settings.required_reviews,
        threshold=threshold,
        with_candidates=by_normalised and unfiltered,
    )
    summary = DashboardSummary(is_chair=is_chair, **counts)
    queryset = _filtered(base, filters=filters, review_settings=review_settings)
    known_count = summary.total if unfiltered else None
    scores = normalised_scores(
        conference=conference, visible=visible, review_settings=review_settings
    )
    page: Page[Any]  # of ids or of value dicts first, of DashboardRows when returned
    if by_normalised:
        if not unfiltered:
            candidates = _score_candidates(user=user, queryset=queryset)
        order = _normalised_order(candidates=candidates, scores=scores, sort=filters.sort)
        page = cast(Page[Any], Paginator(order, PAGE_SIZE).get_page(page_number))
        on_page = queryset.filter(pk__in=list(page.object_list)).order_by().values(*_ROW_VALUES)
        by_pk = {value["pk"]: value for value in on_page}
        values = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    else:
        rows_query = _sorted(queryset, filters.sort).values(*_ROW_VALUES)
        paginator = (
            Paginator(rows_query, PAGE_SIZE)
            if known_count is None
            else _CountedPaginator(rows_query, PAGE_SIZE, count=known_count)
        )
        page = paginator.get_page(page_number)
        values = list(page.object_list)
    topics = topic_names_by_proposal(proposal_ids=[v["pk"] for v in values])
    track_names = {int(pk): name for pk, name in filter_choices(conference=conference)["tracks"]}
    rows = []
    sees_everything = user.is_superuser  # read once: request.user is a lazy proxy
    for value in values:
        unit = scores.get(value["pk"])
        sees = bool(sees_everything or value["my_submitted"] or value["is_decided"])
        spread = value["score_spread"]
        others = value["submitted_reviews"] - value["my_submitted"]
        names = topics.get(value["pk"], [])
        rows.append(
            DashboardRow(
                pk=value["pk"],
                title=value["title"],
                state=value["state"],
                state_label=_STATE_LABELS.get(value["state"], value["state"]),
                format_label="Workshop" if value["format"] == ExpoFormat.WORKSHOP else "Talk/demo",
                organisation_name=value["organisation__name"] or "",
                track_name=track_names.get(value["track_id"], ""),
                topics_shown=names[:3],
                topics_more=max(0, len(names) - 3),
                topics_all=", ".join(names),
                my_submitted=bool(value["my_submitted"]),
                my_drafts=bool(value["my_drafts"]),
                awaits_me=bool(
                    is_chair and not value["my_submitted"] and value["state"] in REVIEWABLE_STATES
                ),
                others_label=f"{others} other{'' if others == 1 else 's'}",
                sees_scores=sees,
                # Blind rule: scores not yet visible to this chair are not even formatted.
                mean_display=_fixed(value["mean_score"], 2) if sees else "",
                normalised_display=(
                    _fixed(unit.normalised_score if unit else None, 2) if sees else ""
                ),
                spread_display=_fixed(spread, 1) if sees else "",
                disagrees=sees and spread is not None and spread >= threshold,
            )
        )
    page.object_list = rows
    return Dashboard(
        page=page,
        summary=summary,
        settings=review_settings,
        is_chair=is_chair,
    )


class _CountedPaginator(Paginator):
    """A paginator told the number of rows, counted already for the dashboard's summary."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _fixed(value: float | None, places: int) -> str:
    """Like the ``floatformat`` filter: the shortest repr of the float, rounded half up."""
    if value is None:
        return "–"
    exponent = Decimal(1).scaleb(-places)
    return str(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def dashboard_export_rows(
    *, user: User, conference: Conference, filters: DashboardFilters
) -> Iterable[list[Any]]:
    """The dashboard as CSV rows (header first), with scores only where the user may see them."""
    review_settings = review_settings_or_default(conference=conference)
    visible = _visible(user=user, conference=conference)
    queryset = _sorted(
        _filtered(visible.annotated, filters=filters, review_settings=review_settings),
        filters.sort,
    ).select_related("organisation", "track", "decision")
    scores = normalised_scores(
        conference=conference, visible=visible, review_settings=review_settings
    )
    yield [
        "id",
        "title",
        "organisation",
        "format",
        "track",
        "state",
        "submitted reviews",
        "your review",
        "mean weighted score",
        "normalised score",
        "spread",
        "decision",
    ]
    row: Any  # a Proposal with the annotations of annotate_reviews
    for row in queryset:
        proposal = row
        sees = user.is_superuser or proposal.my_submitted or proposal.is_decided
        unit = scores.get(proposal.pk)
        decision = getattr(proposal, "decision", None)
        yield [
            proposal.pk,
            proposal.title,
            proposal.organisation.name if proposal.organisation else "",
            proposal.get_format_display(),
            proposal.track.name if proposal.track else "",
            proposal.get_state_display(),
            proposal.submitted_reviews,
            "submitted" if proposal.my_submitted else ("draft" if proposal.my_drafts else ""),
            _round(proposal.mean_score) if sees else "",
            _round(unit.normalised_score) if sees and unit else "",
            _round(proposal.score_spread) if sees else "",
            decision.get_outcome_display() if decision else "",
        ]


def _round(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def filter_choices(*, conference: Conference) -> dict[str, list[tuple[str, str]]]:
    """Choices for the dashboard's filter form (tracks and topics of the conference).
    Remembered on the conference instance, which lives for one request: the rows read their
    track names from here too."""
    remembered: dict[str, list[tuple[str, str]]] | None = conference.__dict__.get("_filter_choices")
    if remembered is None:
        tracks = [(str(t.pk), t.name) for t in Track.objects.filter(conference=conference)]
        topics = [(str(t.pk), t.name) for t in Topic.objects.filter(conference=conference)]
        remembered = {"tracks": tracks, "topics": topics, "formats": list(ExpoFormat.choices)}
        conference.__dict__["_filter_choices"] = remembered
    return remembered


# --- Review page -------------------------------------------------------------------------------


@dataclass
class ReviewView:
    """A submitted review as another chair sees it."""

    review: Review
    scores: list[tuple[ReviewCriterion, int | None]]
    revisions: list[ReviewRevision]


def reviews_of(*, proposal: Proposal, criteria: Sequence[ReviewCriterion]) -> list[ReviewView]:
    """All submitted reviews of ``proposal`` with scores and earlier revisions (3 queries)."""
    reviews = (
        Review.objects.filter(proposal=proposal, version__gt=0)
        .select_related("reviewer")
        .prefetch_related(
            Prefetch("scores", queryset=CriterionScore.objects.all()),
            Prefetch("revisions", queryset=ReviewRevision.objects.order_by("-version")),
        )
        .order_by("submitted_at", "pk")
    )
    result = []
    for review in reviews:
        by_criterion = {s.criterion_id: s.score for s in review.scores.all()}
        result.append(
            ReviewView(
                review=review,
                scores=[(c, by_criterion.get(c.pk)) for c in criteria],
                revisions=[r for r in review.revisions.all() if r.version != review.version],
            )
        )
    return result


def own_review(*, user: User, proposal: Proposal) -> Review | None:
    return (
        Review.objects.filter(proposal=proposal, reviewer=user).prefetch_related("scores").first()
    )


def review_counts(*, proposal: Proposal, user: User) -> tuple[int, int]:
    """(submitted reviews by others, submitted by ``user``) — what the blind rule lets show."""
    counts = Review.objects.filter(proposal=proposal, version__gt=0).aggregate(
        mine=Count("pk", filter=Q(reviewer=user)), total=Count("pk")
    )
    return counts["total"] - counts["mine"], counts["mine"]


# --- Decisions and capacity --------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionReadiness:
    required: int
    counted: int
    conflicted_reviews: int = 0

    @property
    def ready(self) -> bool:
        return self.counted >= self.required


def decision_readiness(
    *, conference: Conference, proposals: Sequence[Proposal]
) -> dict[int, DecisionReadiness]:
    """Submitted reviews by reviewers *not* conflicted now, per proposal; a few queries per
    distinct reviewer, not per proposal."""
    required = review_settings_or_default(conference=conference).required_reviews
    pairs = list(
        Review.objects.filter(proposal__in=[p.pk for p in proposals], version__gt=0).values_list(
            "proposal_id", "reviewer_id"
        )
    )
    reviewers = {u.pk: u for u in User.objects.filter(pk__in={r for _, r in pairs})}
    conflicted = {
        pk: conflicted_proposal_ids(user=user, conference=conference)
        for pk, user in reviewers.items()
    }
    counted: dict[int, int] = defaultdict(int)
    excluded: dict[int, int] = defaultdict(int)
    for proposal_id, reviewer_id in pairs:
        if proposal_id in conflicted[reviewer_id]:
            excluded[proposal_id] += 1
        else:
            counted[proposal_id] += 1
    return {p.pk: DecisionReadiness(required, counted[p.pk], excluded[p.pk]) for p in proposals}


@dataclass(frozen=True)
class TrackLoad:
    name: str
    format_label: str
    capacity: int | None
    accepted: int

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.accepted

    @property
    def over(self) -> bool:
        return self.capacity is not None and self.accepted > self.capacity


@dataclass(frozen=True)
class CapacityOverview:
    tracks: list[TrackLoad]
    formats: list[TrackLoad]  # pooled over the tracks of each format


def capacity_overview(
    *, conference: Conference, extra_accepts: Sequence[Proposal] = ()
) -> CapacityOverview:
    """Accepted sessions against slots, per track (proposals with a track) and per format (all
    accepted proposals of that format against the summed capacity of its tracks). With
    ``extra_accepts`` the counts include those proposals as if accepted."""
    tracks = list(
        Track.objects.filter(conference=conference).annotate(
            accepted=Count("proposals", filter=Q(proposals__state=ProposalState.ACCEPTED))
        )
    )
    per_format: dict[str, int] = dict(
        Proposal.objects.filter(conference=conference, state=ProposalState.ACCEPTED)
        .values("format")
        .annotate(n=Count("pk"))
        .values_list("format", "n")
    )
    extra_track: dict[int, int] = defaultdict(int)
    for proposal in extra_accepts:
        per_format[proposal.format] = per_format.get(proposal.format, 0) + 1
        if proposal.track_id is not None:
            extra_track[proposal.track_id] += 1
    labels = dict(ExpoFormat.choices)
    track_loads = [
        TrackLoad(t.name, labels[t.format], t.capacity, t.accepted + extra_track[t.pk])
        for t in tracks
    ]
    format_loads = []
    for value, label in ExpoFormat.choices:
        own = [t for t in tracks if t.format == value]
        if not own:
            continue
        known = all(t.capacity is not None for t in own)
        capacity = sum(t.capacity or 0 for t in own) if known else None
        format_loads.append(TrackLoad(label, label, capacity, per_format.get(value, 0)))
    return CapacityOverview(track_loads, format_loads)


def overfilled_tracks(*, conference: Conference, accepting: Sequence[Proposal]) -> list[str]:
    """Messages for each track or format that accepting ``accepting`` would over-fill."""
    if not accepting:
        return []
    overview = capacity_overview(conference=conference, extra_accepts=accepting)
    return [
        f"{load.name}: {load.accepted} accepted for {load.capacity} slot"
        f"{'s' if load.capacity != 1 else ''}"
        for load in [*overview.tracks, *overview.formats]
        if load.over
    ]


# --- Sponsors' view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SponsorFeedback:
    outcome: str
    outcome_label: str
    rationale: str
    decided_at: dt.datetime
    reviews: list[str] = field(default_factory=list)
    # Per criterion: "below", "at" or "above" the accepted proposals' median; empty when
    # fewer than MIN_ACCEPTED_FOR_COMPARISON proposals were accepted.
    criteria: list[tuple[str, str]] = field(default_factory=list)


# Below this many accepted proposals, a comparison with "the accepted median" would come close
# to telling a sponsor another sponsor's scores.
MIN_ACCEPTED_FOR_COMPARISON = 5
# Within half a scale point of the median counts as "at" it: reviewers score in whole points.
AT_MEDIAN_TOLERANCE = 0.5


def criterion_positions_for_sponsor(*, proposal: Proposal) -> list[tuple[str, str]]:
    """Where the proposal's mean score per criterion lies against the accepted proposals' median.

    Only the position (below / at / above) leaves this function: never a score, and nothing
    at all when fewer than five proposals of the conference were accepted.
    """
    means = (
        CriterionScore.objects.filter(
            review__proposal__conference_id=proposal.conference_id, review__version__gt=0
        )
        .values("review__proposal_id", "criterion_id", "review__proposal__state")
        .annotate(mean=Avg("score"))
    )
    accepted: dict[int, list[float]] = defaultdict(list)
    own: dict[int, float] = {}
    accepted_ids = set()
    for row in means:
        if row["review__proposal__state"] == ProposalState.ACCEPTED:
            accepted[row["criterion_id"]].append(float(row["mean"]))
            accepted_ids.add(row["review__proposal_id"])
        if row["review__proposal_id"] == proposal.pk:
            own[row["criterion_id"]] = float(row["mean"])
    if len(accepted_ids) < MIN_ACCEPTED_FOR_COMPARISON or not own:
        return []
    positions = []
    for criterion in ReviewCriterion.objects.filter(conference_id=proposal.conference_id):
        if criterion.pk not in own or len(accepted[criterion.pk]) < MIN_ACCEPTED_FOR_COMPARISON:
            continue
        median = statistics.median(accepted[criterion.pk])
        difference = own[criterion.pk] - median
        if abs(difference) < AT_MEDIAN_TOLERANCE:
            position = "at"
        else:
            position = "above" if difference > 0 else "below"
        positions.append((criterion.name, position))
    return positions


def public_feedback_many(*, proposals: Sequence[Proposal]) -> dict[int, list[str]]:
    """The public rationales of each proposal's submitted reviews, oldest first."""
    result: dict[int, list[str]] = {p.pk: [] for p in proposals}
    for proposal_id, rationale in (
        Review.objects.filter(proposal__in=[p.pk for p in proposals], version__gt=0)
        .exclude(rationale="")
        .order_by("submitted_at", "pk")
        .values_list("proposal_id", "rationale")
    ):
        result[proposal_id].append(rationale)
    return result


def public_feedback_for_sponsor(*, proposal: Proposal) -> SponsorFeedback | None:
    """What the sponsor may read once their proposal is decided: the outcome, the chairs'
    rationale and the reviewers' public rationales (never scores, names or private comments).
    None while undecided."""
    if proposal.state not in DECIDED_STATES:
        return None
    decision = Decision.objects.filter(proposal=proposal).first()
    if decision is None:
        return None
    return SponsorFeedback(
        outcome=decision.outcome,
        outcome_label=DecisionOutcome(decision.outcome).label,
        rationale=decision.rationale,
        decided_at=decision.decided_at,
        reviews=public_feedback_many(proposals=[proposal])[proposal.pk],
        criteria=criterion_positions_for_sponsor(proposal=proposal),
    )


def sponsor_recipients(*, proposals: Sequence[Proposal]) -> dict[int, list[str]]:
    """Active members' e-mail addresses per organisation of ``proposals``."""
    result: dict[int, list[str]] = defaultdict(list)
    for organisation_id, email in (
        Membership.objects.filter(
            organisation_id__in={p.organisation_id for p in proposals}, user__is_active=True
        )
        .order_by("user__email")
        .values_list("organisation_id", "user__email")
    ):
        result[organisation_id].append(email)
    return dict(result)


# --- Notifications -----------------------------------------------------------------------------


def decided_proposals(*, user: User, conference: Conference) -> QuerySet[Proposal]:
    """Decided proposals the user may see, with whether their current decision was queued."""
    # The outbox key of the current decision version (see services.idempotency_key_for).
    current_key = Concat(
        Value("decision:"),
        Cast(OuterRef("decision__pk"), CharField()),
        Value(":v"),
        Cast(OuterRef("decision__version"), CharField()),
        output_field=CharField(),
    )
    queued = OutboxMessage.objects.filter(proposal=OuterRef("pk"), idempotency_key=current_key)
    return (
        proposals_visible_to(user=user, conference=conference)
        .filter(decision__isnull=False, state__in=DECIDED_STATES)
        .select_related("organisation", "decision")
        .annotate(notified=Exists(queued))
        .order_by("decision__outcome", Lower("title"), "pk")
    )


def outbox_for(*, user: User, conference: Conference, limit: int = 100) -> list[OutboxMessage]:
    """The latest outbox messages about proposals ``user`` may see."""
    visible = proposals_visible_to(user=user, conference=conference).values("pk")
    return list(
        OutboxMessage.objects.filter(conference=conference, proposal__in=visible).select_related(
            "proposal"
        )[:limit]
    )


# --- Calibration -------------------------------------------------------------------------------


@dataclass
class ReviewerRow:
    user: User
    count: int
    mean: float
    sd: float | None
    offset: float  # mean − everyone's mean: positive = generous, negative = harsh


@dataclass
class DiscussRow:
    proposal: Proposal
    spread: float
    scores: list[tuple[str, float]]


@dataclass
class CalibrationReport:
    review_count: int
    proposal_count: int
    grand_mean: float | None
    reviewers: list[ReviewerRow]
    alphas: list[tuple[str, float | None, int]]  # (what, alpha, units with ≥2 ratings)
    discuss_first: list[DiscussRow]
    hidden_discuss: int  # disagreements the blind rule does not let this user see yet
    threshold: Decimal
    normalisable_reviewers: int


def calibration_report(*, user: User, conference: Conference) -> CalibrationReport:
    """Per-reviewer harshness, agreement and the “discuss first” list, computed over the
    proposals ``user`` may see (a conflicted chair's figures leave out the hidden proposals)."""
    review_settings = review_settings_or_default(conference=conference)
    visible = proposals_visible_to(user=user, conference=conference).exclude(
        state=ProposalState.WITHDRAWN
    )
    reviews = list(
        Review.objects.filter(
            proposal__in=visible.values("pk"), version__gt=0, weighted_score__isnull=False
        )
        .select_related("reviewer")
        .order_by("proposal_id", "submitted_at", "pk")
    )
    scored = [
        calibration.ScoredReview(r.reviewer_id, r.proposal_id, float(r.weighted_score or 0))
        for r in reviews
    ]
    stats = calibration.reviewer_stats(scored)
    grand_mean = sum(s.score for s in scored) / len(scored) if scored else None
    users = {r.reviewer_id: r.reviewer for r in reviews}
    reviewer_rows = sorted(
        (
            ReviewerRow(
                users[pk],  # type: ignore[index]
                s.count,
                s.mean,
                s.sd,
                s.mean - (grand_mean or 0.0),
            )
            for pk, s in stats.items()
        ),
        key=lambda row: row.offset,
    )
    by_proposal: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_proposal[review.proposal_id].append(review)
    criteria = criteria_for(conference=conference)
    criterion_scores: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for criterion_id, proposal_id, score in CriterionScore.objects.filter(
        review__in=[r.pk for r in reviews]
    ).values_list("criterion_id", "review__proposal_id", "score"):
        criterion_scores[criterion_id][proposal_id].append(score)
    alphas: list[tuple[str, float | None, int]] = []
    recommendation_units = {
        pk: [RECOMMENDATION_POINTS[r.recommendation] for r in own]
        for pk, own in by_proposal.items()
    }
    alphas.append(
        (
            "Overall recommendation (ordinal, 4 levels)",
            calibration.krippendorff_alpha(recommendation_units, value_domain=[1, 2, 3, 4]),
            _pairable(recommendation_units),
        )
    )
    for criterion in criteria:
        units = criterion_scores.get(criterion.pk, {})
        alphas.append(
            (
                f"{criterion.name} (ordinal, {criterion.scale_min}–{criterion.scale_max})",
                calibration.krippendorff_alpha(units, value_domain=list(criterion.scale)),
                _pairable(units),
            )
        )
    weighted_units = {
        pk: [float(r.weighted_score or 0) for r in own] for pk, own in by_proposal.items()
    }
    alphas.append(
        (
            "Weighted score (interval)",
            calibration.krippendorff_alpha(weighted_units, level="interval"),
            _pairable(weighted_units),
        )
    )
    spreads = calibration.disagreements(
        weighted_units, threshold=float(review_settings.disagreement_points)
    )
    proposals = {
        p.pk: p
        for p in visible.filter(pk__in=list(spreads)).select_related("organisation", "decision")
    }
    own_submitted = {r.proposal_id for r in reviews if r.reviewer_id == user.pk}
    discuss: list[DiscussRow] = []
    hidden = 0
    for pk, spread in spreads.items():
        proposal = proposals.get(pk)
        if proposal is None:
            continue
        decided = getattr(proposal, "decision", None) is not None
        if not (user.is_superuser or pk in own_submitted or decided):
            hidden += 1
            continue
        discuss.append(
            DiscussRow(
                proposal,
                spread,
                [
                    (r.reviewer.get_full_name(), float(r.weighted_score or 0))
                    for r in by_proposal[pk]
                ],
            )
        )
    discuss.sort(key=lambda row: (-row.spread, row.proposal.title.casefold()))
    return CalibrationReport(
        review_count=len(reviews),
        proposal_count=len(by_proposal),
        grand_mean=grand_mean,
        reviewers=reviewer_rows,
        alphas=alphas,
        discuss_first=discuss,
        hidden_discuss=hidden,
        threshold=review_settings.disagreement_points,
        normalisable_reviewers=sum(1 for s in stats.values() if s.can_normalise),
    )


def _pairable(units: dict[Any, list[Any]]) -> int:
    return sum(1 for values in units.values() if len(values) >= 2)


# --- Audit -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    proposal: int | None = None


def audit_events(*, conference: Conference, filters: AuditFilters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(conference=conference)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(actor_label__icontains=filters.actor)
    if filters.proposal is not None:
        events = events.filter(proposal_id=filters.proposal)
    return events.order_by("-created_at", "-pk")


def chairs_of(*, conference: Conference) -> list[ConferenceChair]:
    return list(
        ConferenceChair.objects.filter(conference=conference)
        .select_related("user")
        .order_by(Coalesce("user__full_name", "user__email"))
    )
