"""Review criteria, reviews and their revisions, conflicts of interest, decisions, notification
templates and outbox, and the append-only audit trail.

Models stay thin: the workflows (who may write what, when) live in ``reviews.services`` and the
permission table in ``reviews.rules``.
"""

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from expo.conferences.models import Conference
from expo.proposals.models import Proposal, ProposalState


class ReviewSettings(models.Model):
    """How a conference reviews; one row per conference, created with it."""

    conference = models.OneToOneField(
        Conference, on_delete=models.CASCADE, primary_key=True, related_name="review_settings"
    )
    required_reviews = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Submitted reviews by non-conflicted reviewers needed before a decision.",
    )
    score_scale_max = models.PositiveSmallIntegerField(
        "weighted score scale",
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text="The weighted score of a review is shown on a scale from 1 to this number.",
    )
    disagreement_points = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        default=Decimal(2),
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text="Reviews whose weighted scores differ by this much or more put a proposal on "
        "the “discuss first” list.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # A new random value whenever a submitted review's score changes (``review_summaries_refresh``
    # sets it in the same transaction): figures derived from all scores, such as the per-reviewer
    # normalisation, are cached under it. Random rather than a counter, so that a rolled-back
    # change can never leave a cache entry that a later, different change would hit.
    scores_token = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name_plural = "review settings"

    def __str__(self) -> str:
        return f"Review settings of {self.conference}"


class ReviewCriterion(models.Model):
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="review_criteria"
    )
    name = models.CharField(max_length=100)
    guidance = models.TextField(
        max_length=1000, blank=True, help_text="What reviewers should look for."
    )
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5, validators=[MaxValueValidator(10)])
    weight = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "pk"]
        verbose_name_plural = "review criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "name"], name="review_criterion_name_per_conference"
            ),
            models.CheckConstraint(
                condition=Q(scale_min__lt=models.F("scale_max")) & Q(scale_max__lte=10),
                name="review_criterion_scale_ordered",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="review_criterion_weight_pos"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)


class Recommendation(models.TextChoices):
    ACCEPT = "accept", "Accept"
    WEAK_ACCEPT = "weak_accept", "Weak accept"
    WEAK_REJECT = "weak_reject", "Weak reject"
    REJECT = "reject", "Reject"


# Ordinal positions, used for agreement statistics (Krippendorff's alpha, ordinal).
RECOMMENDATION_POINTS: dict[str, int] = {
    Recommendation.REJECT: 1,
    Recommendation.WEAK_REJECT: 2,
    Recommendation.WEAK_ACCEPT: 3,
    Recommendation.ACCEPT: 4,
}
CONFIDENCE_CHOICES = [
    (1, "1 — an educated guess"),
    (2, "2 — somewhat unsure"),
    (3, "3 — fairly confident"),
    (4, "4 — confident"),
    (5, "5 — certain, I know this area well"),
]


class Review(models.Model):
    """A reviewer's review of a proposal: the last submitted version plus a private draft.

    ``version`` counts submissions (0 = never submitted); every submission also writes a
    ``ReviewRevision``. The autosaved draft lives in ``draft`` and is seen only by its author,
    so other chairs never read half-typed revisions of a submitted review.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.TextField(
        "rationale for the sponsor", blank=True, help_text="The sponsor sees this."
    )
    private_comment = models.TextField(
        "comment to the other chairs", blank=True, help_text="Never shown to the sponsor."
    )
    weighted_score = models.FloatField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    revised_at = models.DateTimeField(null=True, blank=True)
    draft = models.JSONField(default=dict, blank=True)
    draft_version = models.PositiveIntegerField(default=0)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="review_once_per_chair"),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=5),
                name="review_confidence_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(version=0, submitted_at__isnull=True)
                | Q(version__gt=0, submitted_at__isnull=False),
                name="review_version_matches_submission",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "submitted_at"])]

    def __str__(self) -> str:
        return f"Review of “{self.proposal}” by {self.reviewer}"

    @property
    def is_submitted(self) -> bool:
        return self.version > 0

    @property
    def has_unsubmitted_draft(self) -> bool:
        return bool(self.draft)


class ReviewSummary(models.Model):
    """A proposal's submitted reviews in figures: how many, and the mean, lowest and highest
    weighted score. ``services.review_summaries_refresh`` recomputes it from the reviews in the
    transaction that changes them, so the review dashboard can sort, filter and count thousands
    of proposals without aggregating every review on each request. A proposal without a row has
    no submitted review."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, primary_key=True, related_name="review_summary"
    )
    submitted_reviews = models.PositiveIntegerField(default=0)
    mean_score = models.FloatField(null=True, blank=True)
    min_score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.submitted_reviews} reviews of proposal {self.proposal_id}"


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering: ClassVar = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ReviewRevision(models.Model):
    """A snapshot of every submitted version of a review; never changed afterwards."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    scores = models.JSONField(help_text="[{criterion_id, name, score}, …] as submitted.")
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices)
    # Null only for imported reviews that had none (see import_openreview).
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.TextField()
    private_comment = models.TextField(blank=True)
    weighted_score = models.FloatField()
    submitted_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["review", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["review", "version"], name="revision_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.review} v{self.version}"


class ConflictKind(models.TextChoices):
    DECLARED = "declared", "Declared by the reviewer"
    ADDED = "added", "Added by an admin"
    LIFTED = "lifted", "Lifted by an admin"


class Conflict(models.Model):
    """A ruling on one reviewer and one proposal that overrides the automatic detection.

    Automatic conflicts (e-mail domain, affiliations, membership, speaker) are computed from the
    current data every time (``reviews.conflicts``), so they are never stale. A row here either
    adds a conflict (declared by the reviewer or added by an admin) or lifts one.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_conflicts"
    )
    kind = models.CharField(max_length=10, choices=ConflictKind.choices)
    reason = models.TextField(max_length=500, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="conflict_once_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} / {self.proposal}"

    @property
    def is_conflict(self) -> bool:
        return self.kind != ConflictKind.LIFTED


class DecisionOutcome(models.TextChoices):
    ACCEPT = "accept", "Accept"
    WAITLIST = "waitlist", "Waitlist"
    REJECT = "reject", "Reject"


OUTCOME_STATES: dict[str, str] = {
    DecisionOutcome.ACCEPT: ProposalState.ACCEPTED,
    DecisionOutcome.WAITLIST: ProposalState.WAITLISTED,
    DecisionOutcome.REJECT: ProposalState.REJECTED,
}
DECIDED_STATES = frozenset(OUTCOME_STATES.values())
# Reviews can be written and revised in these states; a decision freezes them.
REVIEWABLE_STATES = frozenset({ProposalState.SUBMITTED, ProposalState.UNDER_REVIEW})
DECIDABLE_STATES = REVIEWABLE_STATES | DECIDED_STATES


class Decision(models.Model):
    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    rationale = models.TextField(help_text="Shown to the sponsor.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.proposal}"


class NotificationTemplate(models.Model):
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="notification_templates"
    )
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=10000)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["conference", "outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "outcome"], name="notification_template_per_outcome"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} e-mail of {self.conference}"


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will be retried)"


class OutboxMessage(models.Model):
    """One e-mail to send. ``idempotency_key`` names the decision version it announces, so
    queueing twice creates one row and the sending task delivers it once."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="outbox")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="notifications")
    idempotency_key = models.CharField(max_length=200, unique=True)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)}"


class AuditAction(models.TextChoices):
    PROPOSAL_STATE = "proposal.state", "Proposal state changed"
    REVIEW_SUBMITTED = "review.submitted", "Review submitted"
    REVIEW_REVISED = "review.revised", "Review revised"
    CONFLICT_DECLARED = "conflict.declared", "Conflict declared"
    CONFLICT_ADDED = "conflict.added", "Conflict added"
    CONFLICT_LIFTED = "conflict.lifted", "Conflict lifted"
    DECISION_MADE = "decision.made", "Decision made"
    DECISION_CHANGED = "decision.changed", "Decision changed"
    SETTINGS_CHANGED = "settings.changed", "Review settings changed"
    CRITERIA_CHANGED = "criteria.changed", "Review criteria changed"
    TEMPLATE_CHANGED = "template.changed", "Notification template changed"
    NOTIFICATION_QUEUED = "notification.queued", "Notification queued"
    NOTIFICATION_SENT = "notification.sent", "Notification sent"
    IMPORTED = "import", "Data imported"


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what, when, with the state before and after. Append-only: the model refuses
    updates and deletes, and on PostgreSQL and SQLite a trigger refuses them too.

    The references are plain ids (no database constraint), so an event outlives the rows it
    describes; ``actor_label`` and ``summary`` keep readable snapshots.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    conference = models.ForeignKey(
        Conference,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    summary = models.CharField(max_length=500)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["conference", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")
