from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from expo.sponsors.models import Invitation, Membership, Organisation
from expo.sponsors.services import organisation_erase


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "tier", "size", "region", "created_at")
    list_filter = ("tier", "size", "region")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline,)
    actions = ("erase_keeping_anonymised_decisions",)

    @admin.action(description="Erase the selected organisations (keep anonymised decision records)")
    def erase_keeping_anonymised_decisions(
        self, request: HttpRequest, queryset: QuerySet[Organisation]
    ) -> None:
        kept = sum(organisation_erase(organisation=org) for org in list(queryset))
        self.message_user(
            request,
            f"Erased {queryset.count() or 'the selected'} organisations; "
            f"{kept} anonymised proposal records kept.",
            messages.SUCCESS,
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "organisation",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
    )
    list_filter = ("organisation",)
    search_fields = ("email", "organisation__name")
    readonly_fields = ("token_digest", "accepted_at", "accepted_by")
