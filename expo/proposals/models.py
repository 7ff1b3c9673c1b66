"""Proposals for an Expo slot and their speakers."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from expo.conferences.models import Conference, ExpoFormat, Topic, Track
from expo.sponsors.models import Organisation


class ProposalState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    WAITLISTED = "waitlisted", "Waitlisted"
    WITHDRAWN = "withdrawn", "Withdrawn"


# States in which the sponsor may still change the text (while the CfP is open).
EDITABLE_STATES = frozenset({ProposalState.DRAFT, ProposalState.SUBMITTED})
# States from which a sponsor may withdraw.
WITHDRAWABLE_STATES = frozenset(
    {
        ProposalState.DRAFT,
        ProposalState.SUBMITTED,
        ProposalState.UNDER_REVIEW,
        ProposalState.WAITLISTED,
        ProposalState.ACCEPTED,
    }
)


def attachment_path(instance: "Proposal", filename: str) -> str:
    # The stored name never uses the uploaded name: it is chosen by us and sniffed type decides
    # the extension (see proposals/files.py).
    return f"attachments/{instance.conference_id}/{filename}"


class Proposal(models.Model):
    TITLE_MAX = 200
    ABSTRACT_MAX = 3000
    OUTLINE_MAX = 5000

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="proposals")
    # SET_NULL: erasing an organisation keeps its proposals' anonymised decision record.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, related_name="proposals"
    )
    title = models.CharField(max_length=TITLE_MAX)
    abstract = models.TextField(max_length=ABSTRACT_MAX)
    outline = models.TextField(
        "outline / agenda",
        max_length=OUTLINE_MAX,
        help_text="What attendees will see and learn, in order.",
    )
    format = models.CharField(max_length=20, choices=ExpoFormat.choices)
    topics = models.ManyToManyField(Topic, related_name="proposals")
    notes_to_chairs = models.TextField(max_length=2000, blank=True)
    attachment = models.FileField(upload_to=attachment_path, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    state = models.CharField(
        max_length=20, choices=ProposalState.choices, default=ProposalState.DRAFT, db_index=True
    )
    track = models.ForeignKey(
        Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The sponsor as it was when the proposal was submitted (tiers and sizes change between
    # editions); fairness metrics slice by these, and they survive the organisation's erasure.
    sponsor_tier = models.CharField(max_length=20, blank=True)
    sponsor_size = models.CharField(max_length=20, blank=True)
    sponsor_region = models.CharField(max_length=30, blank=True)
    first_time_sponsor = models.BooleanField(
        null=True,
        blank=True,
        help_text="No proposal of this organisation was submitted to an earlier edition.",
    )

    class Meta:
        ordering: ClassVar = ["-updated_at"]
        indexes: ClassVar = [
            models.Index(fields=["conference", "state"]),
            # The review dashboard's default order, first page without sorting every row.
            models.Index(fields=["conference", "submitted_at"], name="proposal_conf_submitted"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_minutes(self) -> int:
        return ExpoFormat(self.format).duration_minutes

    @property
    def is_editable_state(self) -> bool:
        return self.state in EDITABLE_STATES


class Speaker(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    affiliation = models.CharField(max_length=200, blank=True)
    bio = models.TextField("short bio", max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "id"]
        # Conflict checks look speakers up by e-mail, case-insensitively (``email__iexact``
        # compares UPPER() on PostgreSQL) for every chair page.
        indexes: ClassVar = [models.Index(Upper("email"), name="speaker_email_upper")]

    def __str__(self) -> str:
        return self.name
