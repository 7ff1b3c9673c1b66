"""API representations. Serializers check shape and types; services check the rules."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from expo.conferences.models import Conference, ExpoFormat, Topic, Track
from expo.proposals.models import Proposal, Speaker
from expo.proposals.services import SpeakerData
from expo.sponsors.models import CompanySize, Membership, Organisation, Region, SponsorTier


class TopicSerializer(serializers.ModelSerializer[Topic]):
    class Meta:
        model = Topic
        fields = ["id", "name", "description"]


class TrackSerializer(serializers.ModelSerializer[Track]):
    class Meta:
        model = Track
        fields = ["id", "name", "format", "capacity"]


class ConferenceTopicSerializer(TopicSerializer):
    conference: serializers.SlugRelatedField[Conference] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta(TopicSerializer.Meta):
        fields = ["id", "conference", "name", "description"]


class ConferenceTrackSerializer(TrackSerializer):
    conference: serializers.SlugRelatedField[Conference] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta(TrackSerializer.Meta):
        fields = ["id", "conference", "name", "format", "capacity"]


class ConferenceSerializer(serializers.ModelSerializer[Conference]):
    topics = TopicSerializer(many=True, read_only=True)
    tracks = TrackSerializer(many=True, read_only=True)
    cfp_open = serializers.SerializerMethodField()

    class Meta:
        model = Conference
        fields = [
            "slug",
            "name",
            "timezone",
            "starts_on",
            "ends_on",
            "call_text",
            "cfp_opens_at",
            "cfp_closes_at",
            "cfp_open",
            "topics",
            "tracks",
        ]

    def get_cfp_open(self, conference: Conference) -> bool:
        return conference.cfp_is_open()


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "domains",
            "tier",
            "size",
            "region",
            "description",
            "member_count",
            "created_at",
        ]
        read_only_fields = fields


class OrganisationWriteSerializer(serializers.Serializer[Any]):
    """Create or change an organisation (owners only for changes)."""

    name = serializers.CharField(max_length=200)
    tier = serializers.ChoiceField(choices=SponsorTier.choices)
    size = serializers.ChoiceField(choices=CompanySize.choices)
    region = serializers.ChoiceField(choices=Region.choices)
    domains = serializers.ListField(
        child=serializers.CharField(max_length=253), max_length=20, required=False, default=list
    )
    description = serializers.CharField(
        max_length=1000, allow_blank=True, required=False, default=""
    )


class MemberSerializer(serializers.ModelSerializer[Membership]):
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "full_name", "email", "role", "joined_at"]
        read_only_fields = fields


class InvitationSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    expires_at = serializers.DateTimeField(read_only=True)


class SpeakerSerializer(serializers.ModelSerializer[Speaker]):
    class Meta:
        model = Speaker
        fields = ["name", "email", "affiliation", "bio"]


class ProposalSerializer(serializers.ModelSerializer[Proposal]):
    conference: serializers.SlugRelatedField[Conference] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    topics = serializers.ManyRelatedField(
        child_relation=serializers.SlugRelatedField(slug_field="name", read_only=True),
        read_only=True,
    )
    speakers = SpeakerSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "conference",
            "organisation",
            "title",
            "abstract",
            "outline",
            "format",
            "topics",
            "speakers",
            "state",
            "notes_to_chairs",
            "created_at",
            "updated_at",
            "submitted_at",
        ]


class SpeakerWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    affiliation = serializers.CharField(
        max_length=200, allow_blank=True, required=False, default=""
    )
    bio = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")


class ProposalUpdateSerializer(serializers.Serializer[Any]):
    """The text of a proposal; topics by name, as the conference lists them."""

    title = serializers.CharField(max_length=Proposal.TITLE_MAX)
    abstract = serializers.CharField(max_length=Proposal.ABSTRACT_MAX)
    outline = serializers.CharField(max_length=Proposal.OUTLINE_MAX)
    format = serializers.ChoiceField(choices=ExpoFormat.choices)
    topics = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=50, allow_empty=True
    )
    speakers = SpeakerWriteSerializer(many=True, max_length=20)  # type: ignore[call-arg]
    notes_to_chairs = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, default=""
    )

    def speaker_data(self) -> list[SpeakerData]:
        return [SpeakerData(**speaker) for speaker in self.validated_data["speakers"]]


class ProposalCreateSerializer(ProposalUpdateSerializer):
    conference: serializers.SlugRelatedField[Conference] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Conference.objects.all()
    )
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.none(),
        help_text="One of your organisations.",
    )
    submit = serializers.BooleanField(
        default=False, help_text="Submit right away instead of saving a draft."
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            # Another organisation's slug reads as unknown: its existence does not leak.
            field = self.fields["organisation"]
            assert isinstance(field, serializers.RelatedField)
            field.queryset = organisations  # type: ignore[arg-type]  # stubs: a manager
