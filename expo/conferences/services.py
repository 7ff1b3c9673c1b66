"""Writes for conferences."""

from django.db import transaction

from expo.conferences.models import DEFAULT_TRACKS, Conference, Track


@transaction.atomic
def conference_create_default_tracks(*, conference: Conference) -> list[Track]:
    """Create the three default tracks; existing tracks of the same name are kept as they are."""
    tracks = []
    for position, (name, expo_format) in enumerate(DEFAULT_TRACKS):
        track, _ = Track.objects.get_or_create(
            conference=conference,
            name=name,
            defaults={"format": expo_format, "position": position},
        )
        tracks.append(track)
    return tracks
