"""Read-only admin views of the review data.

Every change goes through the review workspace (/review/<slug>/…), whose services check the
workflow rules and write the audit trail; editing here would bypass both.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reviews.models import (
    AuditEvent,
    Conflict,
    Decision,
    NotificationTemplate,
    OutboxMessage,
    Review,
    ReviewCriterion,
    ReviewRevision,
    ReviewSettings,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(ReadOnlyAdmin):
    list_display = ["conference", "required_reviews", "score_scale_max", "disagreement_points"]


@admin.register(ReviewCriterion)
class ReviewCriterionAdmin(ReadOnlyAdmin):
    list_display = ["name", "conference", "scale_min", "scale_max", "weight", "position"]
    list_filter = ["conference"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "reviewer", "version", "weighted_score", "recommendation"]
    list_filter = ["proposal__conference", "recommendation"]
    list_select_related = ["proposal", "reviewer"]
    search_fields = ["proposal__title", "reviewer__email"]


@admin.register(ReviewRevision)
class ReviewRevisionAdmin(ReadOnlyAdmin):
    list_display = ["review", "version", "weighted_score", "submitted_at"]
    list_select_related = ["review__proposal", "review__reviewer"]


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ["user", "proposal", "kind", "reason", "set_by", "set_at"]
    list_filter = ["kind", "proposal__conference"]
    list_select_related = ["user", "proposal", "set_by"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "outcome", "version", "decided_by", "decided_at"]
    list_filter = ["outcome", "proposal__conference"]
    list_select_related = ["proposal", "decided_by"]


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(ReadOnlyAdmin):
    list_display = ["conference", "outcome", "subject", "updated_at"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "conference"]
    search_fields = ["subject", "idempotency_key"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action", "summary"]
    list_filter = ["action", "conference"]
    search_fields = ["summary", "actor_label"]
