"""Reads for conference pages."""

from typing import Any

from django.db.models import QuerySet

from expo.conferences.models import Conference, ConferenceChair


def conferences_listed() -> QuerySet[Conference]:
    return Conference.objects.prefetch_related("topics").order_by("-starts_on", "name")


def is_chair_of(*, user: Any, conference: Conference) -> bool:
    """Whether ``user`` chairs ``conference``. Remembered on the conference instance, which
    lives for one request: a review page asks several times (permissions, navigation, lists)."""
    if not user.is_authenticated:
        return False
    remembered: dict[int, bool] = conference.__dict__.setdefault("_chaired_by", {})
    if user.pk not in remembered:
        remembered[user.pk] = ConferenceChair.objects.filter(
            conference=conference, user=user
        ).exists()
    return remembered[user.pk]
