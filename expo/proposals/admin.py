from django.contrib import admin

from expo.proposals.models import Proposal, Speaker


class SpeakerInline(admin.StackedInline):
    model = Speaker
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "conference", "format", "state", "updated_at")
    list_filter = ("conference", "state", "format", "organisation__tier")
    search_fields = ("title", "abstract", "organisation__name")
    list_select_related = ("organisation", "conference")
    filter_horizontal = ("topics",)
    readonly_fields = ("created_at", "updated_at", "submitted_at", "withdrawn_at", "created_by")
    inlines = (SpeakerInline,)
