"""API for the review workspace: cochairs and admins of a conference.

Which proposals a chair sees comes from ``reviews.selectors.proposals_visible_to`` (drafts
never, conflicted proposals never — a 404 like a missing one), and every question goes to the
review rules table (``reviews.rules.may``; not ``user.has_perm``, which says yes to anything for
a superuser, and a conflicted admin must not review or decide). Writes call the same services
as the pages.
"""

from functools import cached_property
from typing import Any

import rules
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from expo.api.chair_serializers import (
    ChairProposalSerializer,
    ChairReviewSerializer,
    ConflictDeclareSerializer,
    ConflictRowSerializer,
    DecisionSerializer,
    DecisionWriteSerializer,
    RelevancePanelSerializer,
    ReviewSubmitSerializer,
)
from expo.api.errors import ErrorResponseSerializer, StaleWriteConflict
from expo.api.views import ExpoApiMixin, query_choice, request_user
from expo.conferences.models import Conference, ExpoFormat, Topic
from expo.proposals.models import Proposal, ProposalState
from fairness.report import STAGES, export_json, report_view
from fairness.services import report_for
from ranking.selectors import review_panel
from reviews import selectors, services
from reviews.conflicts import conflicts_in_conference
from reviews.rules import may
from reviews.selectors import ReviewView

STALE_409 = {409: ErrorResponseSerializer}


def action_get(path: str) -> Any:
    return action(detail=True, methods=["get"], url_path=path, pagination_class=None)


def action_post(path: str) -> Any:
    return action(detail=True, methods=["post"], url_path=path)


def _chaired_conference(request: Request, slug: str, perm: str) -> Conference:
    conference = get_object_or_404(Conference, slug=slug)
    if not may(request.user, perm, conference):
        raise PermissionDenied("You do not chair this conference.")
    return conference


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=ProposalState.values),
            OpenApiParameter("format", OpenApiTypes.STR, enum=ExpoFormat.values),
        ]
    )
)
class ChairProposalViewSet(
    ExpoApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Proposal],
):
    """Submitted proposals of a conference you chair, without those you are conflicted with.

    The other chairs' reviews follow the blind rule: they show once you submitted your own
    review or the proposal is decided."""

    queryset = Proposal.objects.none()  # for the schema; get_queryset decides
    serializer_class = ChairProposalSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["submitted_at", "title", "updated_at"]
    ordering = ["submitted_at", "pk"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.conference  # noqa: B018  # 404/403 before anything else

    @cached_property
    def conference(self) -> Conference:
        return _chaired_conference(
            self.request, self.kwargs["conference_slug"], "reviews.view_workspace"
        )

    def get_queryset(self) -> QuerySet[Proposal]:
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        queryset = (
            selectors.proposals_visible_to(
                user=request_user(self.request), conference=self.conference
            )
            .select_related("organisation", "track", "decision", "decision__decided_by")
            .prefetch_related(
                "speakers", Prefetch("topics", queryset=Topic.objects.order_by("position"))
            )
        )
        if state := query_choice(self.request, "state", ProposalState.values):
            queryset = queryset.filter(state=state)
        if format_ := query_choice(self.request, "format", ExpoFormat.values):
            queryset = queryset.filter(format=format_)
        return queryset

    @extend_schema(responses=ChairReviewSerializer(many=True))
    @action_get("reviews")
    def reviews(self, request: Request, conference_slug: str, pk: str) -> Response:
        """The submitted reviews, once the blind rule lets you see them."""
        proposal = self.get_object()
        if not may(request.user, "reviews.view_reviews", proposal):
            raise PermissionDenied(
                "Submit your own review first: the other reviews stay hidden until then "
                "(blind review)."
            )
        criteria = selectors.criteria_for(conference=self.conference)
        views = selectors.reviews_of(proposal=proposal, criteria=criteria)
        return Response(ChairReviewSerializer(views, many=True).data)

    @extend_schema(
        request=ReviewSubmitSerializer, responses={200: ChairReviewSerializer, **STALE_409}
    )
    @action_post("review")
    def review(self, request: Request, conference_slug: str, pk: str) -> Response:
        """Submit or revise your review (the same rules as the review page)."""
        proposal = self.get_object()
        data = ReviewSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            review = services.review_submit(
                reviewer=request_user(request),
                proposal=proposal,
                data=services.ReviewData(
                    scores=values["scores"],
                    recommendation=values["recommendation"],
                    confidence=values["confidence"],
                    rationale=values["rationale"],
                    private_comment=values["private_comment"],
                ),
                expected_version=values["expected_version"],
            )
        except services.StaleWrite as stale:
            raise StaleWriteConflict(stale.message) from stale
        criteria = selectors.criteria_for(conference=self.conference)
        scores = {s.criterion_id: s.score for s in review.scores.all()}
        view = ReviewView(review, [(c, scores.get(c.pk)) for c in criteria], [])
        return Response(ChairReviewSerializer(view).data)

    @extend_schema(request=ConflictDeclareSerializer, responses={204: None})
    @action_post("conflict")
    def conflict(self, request: Request, conference_slug: str, pk: str) -> Response:
        """Declare a conflict of interest; the proposal is hidden from you from then on."""
        proposal = self.get_object()
        data = ConflictDeclareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.conflict_declare(
            user=request_user(request), proposal=proposal, reason=data.validated_data["reason"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=DecisionWriteSerializer, responses={200: DecisionSerializer, **STALE_409}
    )
    @action_post("decision")
    def decision(self, request: Request, conference_slug: str, pk: str) -> Response:
        """Accept, waitlist or reject (the same rules as the decision page)."""
        proposal = self.get_object()
        data = DecisionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            (decision,) = services.decisions_make(
                by=request_user(request),
                proposals=[proposal],
                outcome=values["outcome"],
                rationale=values["rationale"],
                expected_versions={proposal.pk: values["expected_version"]},
                confirm_overfill=values["confirm_overfill"],
            )
        except services.StaleWrite as stale:
            raise StaleWriteConflict(stale.message) from stale
        return Response(DecisionSerializer(decision).data)

    @extend_schema(responses=RelevancePanelSerializer)
    @action_get("relevance")
    def relevance(self, request: Request, conference_slug: str, pk: str) -> Response:
        """The relevance model's score of the current text with the terms that explain it.

        Like the review page's panel: a cochair sees it once they have submitted their own
        review (unless the conference shows scores earlier), so it cannot anchor the review."""
        panel = review_panel(proposal=self.get_object(), user=request.user)
        if panel is None:
            raise Http404("No such proposal.")
        if not panel.visible:
            raise PermissionDenied(panel.hidden_reason)
        return Response(RelevancePanelSerializer(panel).data)


class ConflictListView(ExpoApiMixin, GenericAPIView[Any]):
    """Every automatic conflict and ruling between the chairs and the proposals (admins)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ConflictRowSerializer
    pagination_class = None

    @extend_schema(responses=ConflictRowSerializer(many=True))
    def get(self, request: Request, conference_slug: str) -> Response:
        conference = _chaired_conference(request, conference_slug, "reviews.manage_conference")
        rows = conflicts_in_conference(conference=conference)
        return Response(ConflictRowSerializer(rows, many=True).data)


class FairnessReportView(ExpoApiMixin, GenericAPIView[Any]):
    """A stage's slice report, as the dashboard's JSON export (cochairs and admins).

    A cochair's report leaves out the proposals they are conflicted with; small cells are
    suppressed as on the dashboard."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter("stage", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(STAGES))
        ],
    )
    def get(self, request: Request, conference_slug: str, stage: str) -> Response:
        conference = get_object_or_404(Conference, slug=conference_slug)
        if not rules.has_perm("fairness.view_dashboard", request.user, conference):
            raise Http404("No such conference.")
        if stage not in STAGES:
            raise Http404("No such stage.")
        row, _scope = report_for(user=request_user(request), conference=conference, stage=stage)
        body = export_json(
            report_view(row.report),
            conference=conference.name,
            computed_at=row.computed_at.isoformat(),
        )
        return Response(body)
