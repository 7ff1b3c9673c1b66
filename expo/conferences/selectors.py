"""Reads for conference pages."""

from django.db.models import QuerySet

from expo.conferences.models import Conference


def conferences_listed() -> QuerySet[Conference]:
    return Conference.objects.prefetch_related("topics").order_by("-starts_on", "name")
