"""Admin for rooms, time windows, breaks, unavailability and schedule versions.

Published versions are read-only here: changes to them go through the scheduling services,
which log them and notify the sponsors concerned.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from scheduling.models import (
    Room,
    ScheduleBreak,
    ScheduledSession,
    ScheduleVersion,
    SessionPreference,
    SpeakerUnavailability,
    TrackWindow,
)


class TrackWindowInline(admin.TabularInline):
    model = TrackWindow
    extra = 0
    fields = ("track", "starts_at", "ends_at")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "conference", "capacity", "position")
    list_filter = ("conference",)
    search_fields = ("name",)
    inlines = (TrackWindowInline,)


@admin.register(ScheduleBreak)
class ScheduleBreakAdmin(admin.ModelAdmin):
    list_display = ("title", "conference", "track", "starts_at", "ends_at")
    list_filter = ("conference",)
    list_select_related = ("conference", "track")


@admin.register(SpeakerUnavailability)
class SpeakerUnavailabilityAdmin(admin.ModelAdmin):
    list_display = ("email", "proposal", "starts_at", "ends_at", "note")
    list_filter = ("proposal__conference",)
    search_fields = ("email", "proposal__title")
    list_select_related = ("proposal",)
    raw_id_fields = ("proposal",)


@admin.register(SessionPreference)
class SessionPreferenceAdmin(admin.ModelAdmin):
    list_display = ("proposal", "half_day", "equipment", "updated_at")
    list_filter = ("half_day", "proposal__conference")
    search_fields = ("proposal__title",)
    raw_id_fields = ("proposal",)


class ScheduledSessionInline(admin.TabularInline):
    model = ScheduledSession
    extra = 0
    fields = ("proposal", "track", "room", "starts_at", "ends_at", "locked")
    raw_id_fields = ("proposal",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.is_published)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.is_published)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.is_published)


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(admin.ModelAdmin):
    list_display = (
        "conference",
        "number",
        "state",
        "solver_status",
        "objective",
        "best_bound",
        "solve_seconds",
        "created_by",
        "created_at",
        "published_at",
    )
    list_filter = ("conference", "state", "solver_status")
    list_select_related = ("conference", "created_by")
    readonly_fields = (
        "state",
        "published_at",
        "published_by",
        "created_by",
        "created_at",
        "solver_status",
        "objective",
        "best_bound",
        "solve_seconds",
        "grid_minutes",
        "topic_overlap_minutes",
        "missed_preferences",
        "conflicts",
    )
    inlines = (ScheduledSessionInline,)
