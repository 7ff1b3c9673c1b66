"""API representations for the review workspace (cochairs and admins)."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from expo.proposals.models import Proposal, Speaker
from reviews.models import Decision, DecisionOutcome, Recommendation
from reviews.services import TEXT_MAX


class ChairSpeakerSerializer(serializers.ModelSerializer[Speaker]):
    class Meta:
        model = Speaker
        fields = ["name", "affiliation", "bio"]


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    decided_by = serializers.CharField(
        source="decided_by.get_full_name", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Decision
        fields = ["outcome", "rationale", "version", "decided_at", "decided_by"]


class ChairProposalSerializer(serializers.ModelSerializer[Proposal]):
    organisation = serializers.CharField(
        source="organisation.name", default=None, allow_null=True, read_only=True
    )
    track = serializers.CharField(
        source="track.name", default=None, allow_null=True, read_only=True
    )
    topics = serializers.ManyRelatedField(
        child_relation=serializers.SlugRelatedField(slug_field="name", read_only=True),
        read_only=True,
    )
    speakers = ChairSpeakerSerializer(many=True, read_only=True)
    decision = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "abstract",
            "outline",
            "format",
            "state",
            "organisation",
            "track",
            "topics",
            "speakers",
            "notes_to_chairs",
            "submitted_at",
            "decision",
        ]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, proposal: Proposal) -> dict[str, Any] | None:
        if not _has_decision(proposal):
            return None
        return dict(DecisionSerializer(proposal.decision).data)


def _has_decision(proposal: Proposal) -> bool:
    try:
        proposal.decision  # noqa: B018
    except Decision.DoesNotExist:
        return False
    return True


class CriterionScoreSerializer(serializers.Serializer[Any]):
    criterion_id = serializers.IntegerField()
    criterion = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)


class ChairReviewSerializer(serializers.Serializer[Any]):
    """A submitted review as another chair sees it (``reviews.selectors.ReviewView``)."""

    id = serializers.IntegerField(source="review.pk")
    reviewer = serializers.CharField(source="review.reviewer.get_full_name")
    recommendation = serializers.ChoiceField(
        source="review.recommendation", choices=Recommendation.choices
    )
    confidence = serializers.IntegerField(source="review.confidence", allow_null=True)
    rationale = serializers.CharField(source="review.rationale")
    private_comment = serializers.CharField(source="review.private_comment")
    weighted_score = serializers.FloatField(source="review.weighted_score", allow_null=True)
    version = serializers.IntegerField(source="review.version")
    submitted_at = serializers.DateTimeField(source="review.submitted_at")
    revised_at = serializers.DateTimeField(source="review.revised_at", allow_null=True)
    scores = serializers.SerializerMethodField()

    @extend_schema_field(CriterionScoreSerializer(many=True))
    def get_scores(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"criterion_id": criterion.pk, "criterion": criterion.name, "score": score}
            for criterion, score in view.scores
        ]


class ReviewSubmitSerializer(serializers.Serializer[Any]):
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        help_text='Score per criterion id, e.g. {"12": 4}.',
    )
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    confidence = serializers.IntegerField(min_value=1, max_value=5)
    rationale = serializers.CharField(max_length=TEXT_MAX)
    private_comment = serializers.CharField(
        max_length=TEXT_MAX, allow_blank=True, required=False, default=""
    )
    expected_version = serializers.IntegerField(
        min_value=0,
        help_text="The version of your review you last saw (0 if none); a newer one is a 409.",
    )

    def validate_scores(self, value: dict[str, int]) -> dict[int, int]:
        try:
            return {int(key): score for key, score in value.items()}
        except ValueError as error:
            raise serializers.ValidationError("Key the scores by criterion id.") from error


class ConflictDeclareSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class DecisionWriteSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    rationale = serializers.CharField(max_length=TEXT_MAX)
    expected_version = serializers.IntegerField(
        min_value=0, help_text="The decision version you last saw (0: none); a newer one is a 409."
    )
    confirm_overfill = serializers.BooleanField(default=False)


class RelevanceTermSerializer(serializers.Serializer[Any]):
    term = serializers.CharField()
    weight = serializers.FloatField()


class RelevancePanelSerializer(serializers.Serializer[Any]):
    """The relevance model's view of a proposal (``ranking.selectors.ReviewPanel``)."""

    pending = serializers.BooleanField(help_text="True while the current text is being scored.")
    score = serializers.FloatField(allow_null=True)
    kind = serializers.CharField(help_text="learned or topical; empty while pending.")
    kind_label = serializers.CharField()
    version = serializers.IntegerField(allow_null=True, help_text="Model version, if learned.")
    raising = serializers.ListField(child=serializers.DictField(), help_text="Terms that raise it.")
    lowering = serializers.ListField(
        child=serializers.DictField(), help_text="Terms that lower it."
    )


class ConflictRowSerializer(serializers.Serializer[Any]):
    user = serializers.EmailField(source="user.email")
    proposal_id = serializers.IntegerField(source="proposal.pk")
    proposal = serializers.CharField(source="proposal.title")
    automatic_reasons = serializers.ListField(child=serializers.CharField())
    ruling = serializers.CharField(source="ruling.kind", default=None, allow_null=True)
    ruling_reason = serializers.CharField(source="ruling.reason", default=None, allow_null=True)
    conflicted = serializers.BooleanField()


class ScheduleSessionSerializer(serializers.Serializer[Any]):
    proposal_id = serializers.IntegerField()
    title = serializers.CharField(source="proposal.title")
    abstract = serializers.CharField(source="proposal.abstract")
    format = serializers.CharField(source="proposal.format")
    organisation = serializers.CharField(
        source="proposal.organisation.name", default=None, allow_null=True
    )
    speakers = serializers.SerializerMethodField()
    track = serializers.CharField(source="track.name")
    room = serializers.CharField(source="room.name")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_speakers(self, session: Any) -> list[str]:
        return [speaker.name for speaker in session.proposal.speakers.all()]


class ScheduleSerializer(serializers.Serializer[Any]):
    conference = serializers.CharField(source="conference.slug")
    version = serializers.IntegerField(source="number")
    published_at = serializers.DateTimeField()
    sessions = ScheduleSessionSerializer(many=True, source="public_sessions")
