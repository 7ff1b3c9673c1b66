"""API representations. Read-only for now; writes come with the full API (issue 8)."""

from rest_framework import serializers

from expo.conferences.models import Conference, Topic, Track
from expo.proposals.models import Proposal, Speaker
from expo.sponsors.models import Organisation


class TopicSerializer(serializers.ModelSerializer[Topic]):
    class Meta:
        model = Topic
        fields = ["id", "name", "description"]


class TrackSerializer(serializers.ModelSerializer[Track]):
    class Meta:
        model = Track
        fields = ["id", "name", "format", "capacity"]


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
