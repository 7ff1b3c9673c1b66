from django.contrib import admin

from expo.conferences.models import Conference, ConferenceChair, Topic, Track


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 1


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0


class ChairInline(admin.TabularInline):
    model = ConferenceChair
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "starts_on", "timezone", "cfp_window")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (TopicInline, TrackInline, ChairInline)
    fieldsets = (
        (None, {"fields": ("name", "slug", "timezone", "starts_on", "ends_on")}),
        (
            "Call for proposals",
            {
                "fields": ("call_text", "cfp_opens_at", "cfp_closes_at"),
                "description": "Times are entered in UTC; pages show them in the "
                "conference's time zone.",
            },
        ),
    )

    @admin.display(description="CfP (conference time)")
    def cfp_window(self, conference: Conference) -> str:
        return f"{conference.cfp_opens_display} – {conference.cfp_closes_display}"


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("name", "conference", "format", "capacity", "position")
    list_filter = ("conference", "format")
