"""Relevance model registry and relevance scores.

A ``RelevanceModel`` row is one trained version for one conference: what it was trained on
(fingerprint), how (parameters, library versions), how well it did offline (metrics), and where
its artefact is (path + sha256, checked on every load). At most one version per conference is
active; candidates may run in *shadow*, scored beside the active one but never shown. A
``RelevanceScore`` is one proposal's score by one version for one exact text; the topical
cold-start score has no model version. ``RankingSettings`` holds a conference's display choices
and ``RelevanceModelEvent`` the append-only record of who changed which version's status
(see docs/relevance.md).
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from expo.conferences.models import Conference
from expo.proposals.models import Proposal


class RelevanceModel(models.Model):
    class Status(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        ACTIVE = "active", "Active"
        SHADOW = "shadow", "Shadow (scored, not shown)"
        RETIRED = "retired", "Retired"

    conference = models.ForeignKey(
        Conference,
        on_delete=models.CASCADE,
        related_name="relevance_models",
        help_text="The conference whose proposals this version scores.",
    )
    version = models.PositiveIntegerField(help_text="1, 2, 3… per conference.")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.CANDIDATE, db_index=True
    )
    training_fingerprint = models.CharField(
        max_length=64, help_text="sha256 over the training texts and labels, in a fixed order."
    )
    n_train = models.PositiveIntegerField()
    n_positive = models.PositiveIntegerField()
    params = models.JSONField(default=dict, help_text="Estimator parameters and fitted C.")
    library_versions = models.JSONField(default=dict)
    metrics = models.JSONField(
        default=dict,
        help_text="Offline evaluation on out-of-fold predictions: AUC with 95% interval, "
        "Brier score, calibration table, per-slice metrics.",
    )
    top_terms = models.JSONField(
        default=dict, help_text="The terms most influential over the training set."
    )
    artefact_path = models.CharField(
        max_length=255, help_text="Relative to the relevance model directory."
    )
    artefact_sha256 = models.CharField(max_length=64)
    training_seconds = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    promoted_at = models.DateTimeField(null=True, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    promotion_reason = models.TextField(
        blank=True, help_text="Why it became active: the rule's comparison or an admin's reason."
    )
    promotion_overridden = models.BooleanField(
        default=False, help_text="Activated by an admin although its metrics were worse."
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    shadow_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When this version started scoring in shadow (empty unless it is a shadow).",
    )
    previous_active = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version this one replaced when it was promoted; rollback returns to it.",
    )

    class Meta:
        ordering: ClassVar = ["conference", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "version"], name="relevance_model_version_unique"
            ),
            models.UniqueConstraint(
                fields=["conference"],
                condition=Q(status="active"),
                name="relevance_model_one_active_per_conference",
            ),
        ]

    def __str__(self) -> str:
        return f"Relevance model v{self.version} for {self.conference} ({self.status})"

    @property
    def auc(self) -> float | None:
        value = self.metrics.get("auc")
        return float(value) if value is not None else None

    @property
    def brier(self) -> float | None:
        value = self.metrics.get("brier")
        return float(value) if value is not None else None


class ScoreKind(models.TextChoices):
    LEARNED = "learned", "Learned from past decisions"
    TOPICAL = "topical", "Topical similarity (no past decisions yet)"


class RelevanceScore(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="relevance_scores"
    )
    model = models.ForeignKey(
        RelevanceModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scores",
        help_text="Empty for topical scores.",
    )
    kind = models.CharField(max_length=20, choices=ScoreKind.choices)
    text_hash = models.CharField(
        max_length=64,
        help_text="sha256 of the scored text (for topical scores, also of the topics and call).",
    )
    score = models.FloatField()
    explanation = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "model", "text_hash"], name="relevance_score_unique"
            ),
            # NULLs are distinct in a unique index, so topical scores need their own constraint.
            models.UniqueConstraint(
                fields=["proposal", "text_hash"],
                condition=Q(model__isnull=True),
                name="relevance_score_topical_unique",
            ),
            models.CheckConstraint(
                condition=(Q(kind="learned") & Q(model__isnull=False))
                | (Q(kind="topical") & Q(model__isnull=True)),
                name="relevance_score_kind_matches_model",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="relevance_score_in_unit_range"
            ),
        ]
        indexes = [models.Index(fields=["proposal", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} score {self.score:.2f} for {self.proposal}"


class RankingSettings(models.Model):
    """A conference's choices about showing relevance scores (one row per conference)."""

    conference = models.OneToOneField(
        Conference, on_delete=models.CASCADE, related_name="ranking_settings"
    )
    show_scores_before_own_review = models.BooleanField(
        default=False,
        help_text="Show a cochair the model's score before they have submitted their own "
        "review. Off by default, so that the score cannot anchor the review.",
    )

    class Meta:
        verbose_name = "ranking settings"
        verbose_name_plural = "ranking settings"

    def __str__(self) -> str:
        return f"Ranking settings of {self.conference}"


class ModelEventAction(models.TextChoices):
    TRAINED = "trained", "Trained"
    PROMOTED = "promoted", "Activated by the rule"
    OVERRIDDEN = "overridden", "Activated by an admin's override"
    ROLLED_BACK = "rolled_back", "Rolled back"
    SHADOW_STARTED = "shadow_started", "Shadow started"
    SHADOW_STOPPED = "shadow_stopped", "Shadow stopped"


class ModelEventQuerySet(models.QuerySet["RelevanceModelEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Relevance model events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Relevance model events cannot be deleted.")


class RelevanceModelEvent(models.Model):
    """Who changed which version's status, when and why. Append-only.

    The reviews audit trail (``reviews.AuditEvent``) has a fixed list of actions that does not
    include model changes, so the registry keeps its own record; ``actor_label`` keeps the
    e-mail address even if the account is later erased.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="relevance_model_events"
    )
    model = models.ForeignKey(RelevanceModel, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=ModelEventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=1000)
    details = models.JSONField(default=dict, blank=True)

    objects = ModelEventQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Relevance model events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Relevance model events cannot be deleted.")
