from django.db.models import QuerySet
from rest_framework import permissions, viewsets

from expo.accounts.models import User
from expo.api.serializers import ConferenceSerializer, ProposalSerializer
from expo.conferences.models import Conference
from expo.proposals.models import Proposal
from expo.proposals.selectors import proposals_for_member


class ConferenceViewSet(viewsets.ReadOnlyModelViewSet[Conference]):
    """Conferences with their topics and tracks; public."""

    queryset = Conference.objects.prefetch_related("topics", "tracks").order_by("-starts_on")
    serializer_class = ConferenceSerializer
    lookup_field = "slug"
    permission_classes = [permissions.AllowAny]


class ProposalViewSet(viewsets.ReadOnlyModelViewSet[Proposal]):
    """The proposals of the organisations the caller belongs to."""

    serializer_class = ProposalSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[Proposal]:
        user = self.request.user
        if not isinstance(user, User):
            return Proposal.objects.none()
        return proposals_for_member(user=user).prefetch_related("speakers")
