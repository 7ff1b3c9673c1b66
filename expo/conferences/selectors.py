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
    remembered: dict[int, bool] = conference.__dict__.get("_chaired_by", {})
    if user.pk not in remembered:
        chairs = ConferenceChair.objects.filter(conference=conference, user=user).exists()
        remember_chair(user=user, conference=conference, chairs=chairs)
        return chairs
    return remembered[user.pk]


def remember_chair(*, user: Any, conference: Conference, chairs: bool) -> None:
    """Record whether ``user`` chairs ``conference`` for ``is_chair_of`` (and, if so, for
    ``chairs_anything``, which the navigation asks)."""
    conference.__dict__.setdefault("_chaired_by", {})[user.pk] = chairs
    if chairs:
        user._chairs_a_conference = True


def chairs_anything(*, user: Any) -> bool:
    """Whether ``user`` chairs any conference (for the navigation); no query when this
    request already found out (``is_chair_of`` said yes, or ``conferences_chaired_by`` ran)."""
    if not user.is_authenticated:
        return False
    known = getattr(user, "_chairs_a_conference", None)
    if known is not None:
        return bool(known)
    return ConferenceChair.objects.filter(user_id=user.pk).exists()


def conferences_chaired_by(*, user: Any) -> list[Conference]:
    """The conferences ``user`` chairs (remembered for ``chairs_anything``)."""
    if not user.is_authenticated:
        return []
    chaired = list(Conference.objects.filter(conferencechair__user=user))  # newest first
    user._chairs_a_conference = bool(chaired)
    return chaired
