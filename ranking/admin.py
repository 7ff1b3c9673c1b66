"""Admin for the relevance model registry and scores.

Rows are written by ``ranking.services`` only (training, promotion, scoring), so the admin shows
them read-only. Two actions apply the services: activate by the rule, and roll back. Activating
a worse version with a reason, and shadows, are on the monitoring page
(/ranking/<conference>/versions/<n>/) or ``manage.py train_relevance --promote V
--override-reason``. ``RankingSettings`` (when cochairs see scores) is the one editable model.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from ranking.models import RankingSettings, RelevanceModel, RelevanceModelEvent, RelevanceScore
from ranking.services import (
    ArtefactIntegrityError,
    relevance_model_promote,
    relevance_model_rollback,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RelevanceModel)
class RelevanceModelAdmin(ReadOnlyAdmin):
    list_display = (
        "conference",
        "version",
        "status",
        "n_train",
        "offline_auc",
        "offline_brier",
        "promotion_overridden",
        "created_at",
        "promoted_at",
    )
    list_filter = ("status", "conference", "promotion_overridden")
    list_select_related = ("conference",)
    actions = ("promote_by_rule", "roll_back")
    exclude = ("metrics",)
    readonly_fields = (
        "conference",
        "version",
        "status",
        "training_fingerprint",
        "n_train",
        "n_positive",
        "params",
        "library_versions",
        "offline_auc",
        "offline_brier",
        "top_terms",
        "artefact_path",
        "artefact_sha256",
        "training_seconds",
        "created_at",
        "created_by",
        "promoted_at",
        "promoted_by",
        "promotion_reason",
        "promotion_overridden",
        "previous_active",
        "retired_at",
    )

    @admin.display(description="offline AUC (95% CI)")
    def offline_auc(self, obj: RelevanceModel) -> str:
        if obj.auc is None:
            return "—"
        low, high = obj.metrics.get("auc_ci_low"), obj.metrics.get("auc_ci_high")
        interval = f" ({low:.3f}–{high:.3f})" if low is not None and high is not None else ""
        return f"{obj.auc:.3f}{interval}"

    @admin.display(description="offline Brier")
    def offline_brier(self, obj: RelevanceModel) -> str:
        return "—" if obj.brier is None else f"{obj.brier:.4f}"

    @admin.action(description="Activate if not worse than the active version")
    def promote_by_rule(self, request: HttpRequest, queryset: QuerySet[RelevanceModel]) -> None:
        if not request.user.is_superuser:
            raise PermissionDenied
        for model in queryset.order_by("conference_id", "version"):
            try:
                relevance_model_promote(model=model, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
            except ArtefactIntegrityError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{model}: {model.promotion_reason}", messages.SUCCESS)

    @admin.action(description="Roll back the conference to its previous active version")
    def roll_back(self, request: HttpRequest, queryset: QuerySet[RelevanceModel]) -> None:
        if not request.user.is_superuser:
            raise PermissionDenied
        for conference in {model.conference for model in queryset.select_related("conference")}:
            try:
                model = relevance_model_rollback(conference=conference, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
            except ArtefactIntegrityError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{model} is active again.", messages.SUCCESS)


@admin.register(RelevanceScore)
class RelevanceScoreAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "kind", "score", "model", "created_at")
    list_filter = ("kind", "proposal__conference")
    list_select_related = ("proposal", "model", "model__conference")
    search_fields = ("proposal__title",)
    readonly_fields = (
        "proposal",
        "model",
        "kind",
        "text_hash",
        "score",
        "explanation",
        "created_at",
    )


@admin.register(RelevanceModelEvent)
class RelevanceModelEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "conference", "model", "action", "actor_label", "summary")
    list_filter = ("action", "conference")
    list_select_related = ("conference", "model", "model__conference")
    readonly_fields = (
        "created_at",
        "conference",
        "model",
        "action",
        "actor",
        "actor_label",
        "summary",
        "details",
    )


@admin.register(RankingSettings)
class RankingSettingsAdmin(admin.ModelAdmin):
    list_display = ("conference", "show_scores_before_own_review")
    list_select_related = ("conference",)
    list_editable = ("show_scores_before_own_review",)
