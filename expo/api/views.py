"""API views: parse with a serializer, ask the rules table, call the same services as the
pages, answer with a serializer. Errors come out in one format (expo.api.errors)."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, mixins, permissions, routers, status, viewsets
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.schemas.inspectors import ViewInspector

from expo.accounts.models import User
from expo.api import serializers as s
from expo.api.chair_serializers import ScheduleSerializer
from expo.api.permissions import RulesPermission
from expo.api.schema import ExpoAutoSchema
from expo.conferences.models import Conference, ExpoFormat, Topic, Track
from expo.proposals import services as proposal_services
from expo.proposals.models import Proposal, ProposalState
from expo.proposals.selectors import proposals_for_member
from expo.sponsors import services as sponsor_services
from expo.sponsors.models import Membership, Organisation
from expo.sponsors.selectors import organisation_members, organisations_for_member
from scheduling.selectors import schedule_version_public


class ExpoApiMixin:
    """Token first, so a missing or wrong token answers 401 with WWW-Authenticate."""

    authentication_classes: Sequence[type[BaseAuthentication]] = [
        TokenAuthentication,
        SessionAuthentication,
    ]
    parser_classes: Sequence[type[BaseParser]] = [JSONParser]
    schema: ViewInspector | None = ExpoAutoSchema()


class ApiRootView(ExpoApiMixin, routers.APIRootView):
    """The links of /api/v1/, answering unauthenticated writes with 401 like the rest."""

    schema = None  # not an operation of the API


def request_user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def query_choice(request: Request, name: str, choices: Sequence[str]) -> str | None:
    """A query parameter that must be one of ``choices``; 400 otherwise."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value not in choices:
        raise ApiValidationError({name: [f"Choose one of: {', '.join(choices)}."]})
    return value


def query_bool(request: Request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if not value:
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ApiValidationError({name: ["Use true or false."]})


CONFERENCE_PARAM = OpenApiParameter(
    "conference", OpenApiTypes.STR, description="Only this conference (its slug)."
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "cfp_open", OpenApiTypes.BOOL, description="Only conferences whose call is open."
            )
        ]
    )
)
class ConferenceViewSet(ExpoApiMixin, viewsets.ReadOnlyModelViewSet[Conference]):
    """Conferences with their topics and tracks; public."""

    serializer_class = s.ConferenceSerializer
    lookup_field = "slug"
    permission_classes = [permissions.AllowAny]
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["starts_on", "name", "cfp_closes_at"]
    ordering = ["-starts_on", "name"]

    @extend_schema(responses=ScheduleSerializer)
    @action(detail=True, methods=["get"], pagination_class=None)
    def schedule(self, request: Request, slug: str) -> Response:
        """The published Expo schedule; public. Speakers by name only."""
        conference = self.get_object()
        version = schedule_version_public(conference=conference)
        if version is None:
            raise Http404("No schedule is published for this conference yet.")
        version.public_sessions = list(  # type: ignore[attr-defined]
            version.sessions.select_related("proposal__organisation", "track", "room")
            .prefetch_related("proposal__speakers")
            .order_by("starts_at", "room__position", "room__name")
        )
        return Response(ScheduleSerializer(version).data)

    def get_queryset(self) -> QuerySet[Conference]:
        queryset = Conference.objects.prefetch_related("topics", "tracks")
        cfp_open = query_bool(self.request, "cfp_open")
        if cfp_open is not None:
            now = timezone.now()
            open_q = {"cfp_opens_at__lte": now, "cfp_closes_at__gt": now}
            queryset = queryset.filter(**open_q) if cfp_open else queryset.exclude(**open_q)
        return queryset


@extend_schema_view(list=extend_schema(parameters=[CONFERENCE_PARAM]))
class TopicViewSet(ExpoApiMixin, viewsets.ReadOnlyModelViewSet[Topic]):
    """Research topics of the conferences; public."""

    serializer_class = s.ConferenceTopicSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["name", "position"]
    ordering = ["conference__slug", "position", "name"]

    def get_queryset(self) -> QuerySet[Topic]:
        queryset = Topic.objects.select_related("conference")
        slug = self.request.query_params.get("conference")
        return queryset.filter(conference__slug=slug) if slug else queryset


@extend_schema_view(list=extend_schema(parameters=[CONFERENCE_PARAM]))
class TrackViewSet(ExpoApiMixin, viewsets.ReadOnlyModelViewSet[Track]):
    """Tracks (rooms) of the conferences; public."""

    serializer_class = s.ConferenceTrackSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["name", "position"]
    ordering = ["conference__slug", "position", "name"]

    def get_queryset(self) -> QuerySet[Track]:
        queryset = Track.objects.select_related("conference")
        slug = self.request.query_params.get("conference")
        return queryset.filter(conference__slug=slug) if slug else queryset


@extend_schema_view(
    create=extend_schema(request=s.OrganisationWriteSerializer),
    update=extend_schema(request=s.OrganisationWriteSerializer),
    partial_update=extend_schema(request=s.OrganisationWriteSerializer),
)
class OrganisationViewSet(
    ExpoApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Organisation],
):
    """The organisations you belong to. Any member may invite; owners change the details."""

    queryset = Organisation.objects.none()  # for the schema; get_queryset decides
    serializer_class = s.OrganisationSerializer
    lookup_field = "slug"
    permission_classes = [RulesPermission]
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    object_perms = {
        "retrieve": "sponsors.view_organisation",
        "update": "sponsors.change_organisation",
        "partial_update": "sponsors.change_organisation",
        "members": "sponsors.view_organisation",
        "invite": "sponsors.invite_member",
        "member_remove": "sponsors.view_organisation",
    }

    def permission_denied_detail(self, perm: str, obj: Organisation) -> str:
        if perm == "sponsors.change_organisation":
            return "Only the organisation's owners can change its details."
        return "You may not do this in this organisation."

    def get_queryset(self) -> QuerySet[Organisation]:
        return organisations_for_member(user=request_user(self.request))

    def _answer(self, organisation: Organisation, status_code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=organisation.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request: Request) -> Response:
        data = s.OrganisationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = sponsor_services.organisation_create(
            by=request_user(self.request), **data.validated_data
        )
        return self._answer(organisation, status.HTTP_201_CREATED)

    def _update(self, request: Request, *, partial: bool) -> Response:
        organisation = self.get_object()
        current = {
            "name": organisation.name,
            "tier": organisation.tier,
            "size": organisation.size,
            "region": organisation.region,
            "domains": organisation.domains,
            "description": organisation.description,
        }
        data = s.OrganisationWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = {**current, **data.validated_data} if partial else dict(data.validated_data)
        sponsor_services.organisation_update(
            organisation=organisation, by=request_user(self.request), **values
        )
        return self._answer(organisation)

    def update(self, request: Request, slug: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, slug: str) -> Response:
        return self._update(request, partial=True)

    @extend_schema(responses=s.MemberSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def members(self, request: Request, slug: str) -> Response:
        """Members of the organisation with their roles."""
        organisation = self.get_object()
        members = organisation_members(organisation=organisation)
        return Response(s.MemberSerializer(members, many=True).data)

    @extend_schema(request=s.InvitationSerializer, responses={201: s.InvitationSerializer})
    @action(detail=True, methods=["post"], url_path="invitations")
    def invite(self, request: Request, slug: str) -> Response:
        """E-mail a colleague a link to join; the same invitation as on the page."""
        organisation = self.get_object()
        data = s.InvitationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        accept_url = request.build_absolute_uri(reverse("invitation-accept", args=["TOKEN"]))
        invitation, _token = sponsor_services.invitation_create(
            organisation=organisation,
            email=data.validated_data["email"],
            by=request_user(self.request),
            accept_url_template=accept_url.replace("TOKEN", "{token}"),
        )
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("membership_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<membership_id>[0-9]+)")
    def member_remove(self, request: Request, slug: str, membership_id: str) -> Response:
        """Remove a member (owners), or leave (yourself); never the last owner."""
        organisation = self.get_object()
        membership = get_object_or_404(
            Membership.objects.select_related("organisation", "user"),
            pk=int(membership_id),
            organisation=organisation,
        )
        sponsor_services.membership_remove(membership=membership, by=request_user(self.request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _topics_named(conference: Conference, names: Sequence[str]) -> list[Topic]:
    topics = {t.name: t for t in conference.topics.all()}
    unknown = [name for name in names if name not in topics]
    if unknown:
        raise ValidationError(
            {
                "topics": [
                    f"{conference.name} has no topic “{name}”; choose from: "
                    f"{', '.join(topics) or 'none yet'}."
                    for name in unknown
                ]
            }
        )
    return [topics[name] for name in dict.fromkeys(names)]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            CONFERENCE_PARAM,
            OpenApiParameter(
                "organisation", OpenApiTypes.STR, description="Only this organisation (slug)."
            ),
            OpenApiParameter("state", OpenApiTypes.STR, enum=ProposalState.values),
            OpenApiParameter("format", OpenApiTypes.STR, enum=ExpoFormat.values),
        ]
    ),
    create=extend_schema(request=s.ProposalCreateSerializer),
    update=extend_schema(request=s.ProposalUpdateSerializer),
    partial_update=extend_schema(request=s.ProposalUpdateSerializer),
)
class ProposalViewSet(
    ExpoApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Proposal],
):
    """The proposals of the organisations you belong to: create, edit, submit, withdraw.

    Another organisation's proposal is a 404, exactly like a missing one."""

    queryset = Proposal.objects.none()  # for the schema; get_queryset decides
    serializer_class = s.ProposalSerializer
    permission_classes = [RulesPermission]
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["updated_at", "created_at", "submitted_at", "title"]
    ordering = ["-updated_at", "-pk"]
    object_perms = {
        "retrieve": "proposals.view_proposal",
        "update": "proposals.change_proposal",
        "partial_update": "proposals.change_proposal",
        "submit": "proposals.change_proposal",
        "withdraw": "proposals.withdraw_proposal",
    }

    def permission_denied_detail(self, perm: str, proposal: Proposal) -> str:
        state = proposal.get_state_display().lower()
        if perm == "proposals.withdraw_proposal":
            return f"This proposal is {state} and cannot be withdrawn."
        return f"This proposal is {state} and can no longer be changed."

    def get_queryset(self) -> QuerySet[Proposal]:
        queryset = proposals_for_member(user=request_user(self.request)).prefetch_related(
            "speakers"
        )
        params = self.request.query_params
        if conference := params.get("conference"):
            queryset = queryset.filter(conference__slug=conference)
        if organisation := params.get("organisation"):
            queryset = queryset.filter(organisation__slug=organisation)
        if state := query_choice(self.request, "state", ProposalState.values):
            queryset = queryset.filter(state=state)
        if format_ := query_choice(self.request, "format", ExpoFormat.values):
            queryset = queryset.filter(format=format_)
        return queryset

    def _answer(self, proposal: Proposal, status_code: int = 200) -> Response:
        fresh = proposals_for_member(user=request_user(self.request)).prefetch_related("speakers")
        return Response(self.get_serializer(fresh.get(pk=proposal.pk)).data, status=status_code)

    def create(self, request: Request) -> Response:
        user = request_user(self.request)
        data = s.ProposalCreateSerializer(
            data=request.data,
            organisations=Organisation.objects.filter(memberships__user=user),
        )
        data.is_valid(raise_exception=True)
        values = data.validated_data
        conference = values["conference"]
        if not user.has_perm("proposals.add_proposal", values["organisation"]):
            raise ApiValidationError({"organisation": ["Choose one of your organisations."]})
        proposal = proposal_services.proposal_create(
            conference=conference,
            organisation=values["organisation"],
            by=user,
            title=values["title"],
            abstract=values["abstract"],
            outline=values["outline"],
            format=values["format"],
            topics=_topics_named(conference, values["topics"]),
            speakers=data.speaker_data(),
            notes_to_chairs=values["notes_to_chairs"],
            submit=values["submit"],
        )
        return self._answer(proposal, status.HTTP_201_CREATED)

    def _update(self, request: Request, *, partial: bool) -> Response:
        proposal = self.get_object()
        data = s.ProposalUpdateSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        speakers = (
            data.speaker_data()
            if "speakers" in values
            else [
                proposal_services.SpeakerData(
                    name=sp.name, email=sp.email, affiliation=sp.affiliation, bio=sp.bio
                )
                for sp in proposal.speakers.all()
            ]
        )
        topics = (
            _topics_named(proposal.conference, values["topics"])
            if "topics" in values
            else list(proposal.topics.all())
        )
        proposal = proposal_services.proposal_update(
            proposal=proposal,
            by=request_user(self.request),
            title=values.get("title", proposal.title),
            abstract=values.get("abstract", proposal.abstract),
            outline=values.get("outline", proposal.outline),
            format=values.get("format", proposal.format),
            topics=topics,
            speakers=speakers,
            notes_to_chairs=values.get("notes_to_chairs", proposal.notes_to_chairs),
        )
        return self._answer(proposal)

    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    @extend_schema(request=None, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Submit a draft; the chairs see it from then on."""
        proposal = proposal_services.proposal_submit(
            proposal=self.get_object(), by=request_user(self.request)
        )
        return self._answer(proposal)

    @extend_schema(request=None, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Withdraw a proposal; allowed after the call closes too."""
        proposal = proposal_services.proposal_withdraw(
            proposal=self.get_object(), by=request_user(self.request)
        )
        return self._answer(proposal)
