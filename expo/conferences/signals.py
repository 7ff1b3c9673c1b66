"""Every new conference gets its three default tracks, however it is created (admin, shell, API)."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from expo.conferences.models import Conference
from expo.conferences.services import conference_create_default_tracks


@receiver(post_save, sender=Conference, dispatch_uid="conference_default_tracks")
def create_default_tracks(
    sender: type[Conference], instance: Conference, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        conference_create_default_tracks(conference=instance)
