"""Keep ``Track.capacity`` equal to what the rooms' time windows and breaks can hold.

The review workspace shows accepted proposals against ``Track.capacity`` while chairs decide;
with windows entered here, that number is derived, not typed twice. Tracks without windows keep
whatever an admin entered.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from expo.conferences.models import Track
from scheduling.models import Room, ScheduleBreak, TrackWindow


def track_capacities_refresh(*, conference_id: int) -> None:
    from expo.conferences.models import Conference
    from scheduling.selectors import track_loads

    conference = Conference.objects.filter(pk=conference_id).first()
    if conference is None:
        return
    windowed = set(
        TrackWindow.objects.filter(track__conference_id=conference_id).values_list(
            "track_id", flat=True
        )
    )
    for load in track_loads(conference=conference):
        if load.track.pk in windowed and load.track.capacity != load.available:
            Track.objects.filter(pk=load.track.pk).update(capacity=load.available)


def _conference_id(instance: Any) -> int | None:
    if isinstance(instance, TrackWindow):
        track = Track.objects.filter(pk=instance.track_id).only("conference_id").first()
        return track.conference_id if track else None
    return getattr(instance, "conference_id", None)


@receiver(post_save, sender=TrackWindow, dispatch_uid="capacity_window_saved")
@receiver(post_delete, sender=TrackWindow, dispatch_uid="capacity_window_deleted")
@receiver(post_save, sender=ScheduleBreak, dispatch_uid="capacity_break_saved")
@receiver(post_delete, sender=ScheduleBreak, dispatch_uid="capacity_break_deleted")
@receiver(post_delete, sender=Room, dispatch_uid="capacity_room_deleted")
def _windows_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    conference_id = _conference_id(instance)
    if conference_id is not None:
        transaction.on_commit(lambda: track_capacities_refresh(conference_id=conference_id))
