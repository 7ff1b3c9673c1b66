"""Reads for sponsor pages."""

from django.db.models import Count, QuerySet

from expo.accounts.models import User
from expo.sponsors.models import Invitation, Membership, Organisation


def organisations_for_member(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).annotate(
        member_count=Count("memberships", distinct=True)
    )


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__full_name")


def organisation_pending_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    from django.utils import timezone

    return organisation.invitations.filter(
        accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")
