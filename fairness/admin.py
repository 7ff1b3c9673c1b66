"""Admin for cached fairness reports.

Rows are written by ``fairness.services`` only, so they are read-only here. Deleting rows is
allowed: it only empties the cache, and the next view or refresh recomputes them. The action
recomputes a conference's reports now.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from fairness.models import FairnessReport
from fairness.services import reports_refresh


@admin.register(FairnessReport)
class FairnessReportAdmin(admin.ModelAdmin):
    list_display = ("conference", "stage", "computed_at", "compute_seconds", "hidden_proposals")
    list_filter = ("stage", "conference")
    readonly_fields = (
        "conference",
        "stage",
        "parameters_key",
        "parameters",
        "input_fingerprint",
        "report",
        "computed_at",
        "compute_seconds",
    )
    actions = ("recompute",)

    @admin.display(description="left out for conflicts")
    def hidden_proposals(self, obj: FairnessReport) -> int:
        return int(obj.parameters.get("hidden_proposals", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Recompute the reports of these conferences")
    def recompute(self, request: HttpRequest, queryset: QuerySet[FairnessReport]) -> None:
        conferences = {row.conference for row in queryset.select_related("conference")}
        computed = sum(reports_refresh(conference=c, force=True) for c in conferences)
        self.message_user(
            request,
            f"{computed} report(s) recomputed for {len(conferences)} conference(s).",
            messages.SUCCESS,
        )
