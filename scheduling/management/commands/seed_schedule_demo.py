"""Give the demo's past edition (cls2026, decided by ``seed_demo``) a venue and a published
Expo schedule, so that the scheduling pages have something real to show. Idempotent.

The decisions are not touched. cls2026 accepted 60 proposals (36 talks, 24 workshops), more
than one day with one room per track can hold, so its Expo runs on three days of the
conference with two talk rooms and three rooms per workshop track. Sponsors' wishes and
speakers' unavailability are demo data: picked deterministically from a hash, about one
proposal in four with a half-day wish and one speaker in ten away for half a day.
"""

import datetime as dt
import hashlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from expo.accounts.models import User
from expo.conferences.models import Conference, ExpoFormat, Track
from expo.proposals.models import Proposal, ProposalState, Speaker
from scheduling import services
from scheduling.models import (
    HalfDay,
    Room,
    ScheduleBreak,
    ScheduleState,
    ScheduleVersion,
    SessionPreference,
    SpeakerUnavailability,
    TrackAssignment,
    TrackWindow,
)

EXPO_DAYS = (1, 2, 3)  # days after the conference's first day
TALK_ROOMS = ("Ballroom East", "Ballroom West")
WORKSHOP_ROOMS = (("Room 201", "Room 202", "Room 203"), ("Room 204", "Room 205", "Room 206"))
POWER = "power at every seat"


def _pick(*parts: object) -> int:
    """A deterministic pseudo-random number, the same on every machine."""
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


class Command(BaseCommand):
    help = "Rooms, wishes and a published Expo schedule for the demo's past edition (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--conference", default="cls2026", help="Slug (default: cls2026).")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["conference"]
        conference = Conference.objects.filter(slug=slug).first()
        if conference is None:
            raise CommandError(f"No conference “{slug}”; run `manage.py seed_demo` first.")
        if conference.cfp_state() != "closed":
            raise CommandError(f"{slug}'s call is still open: its proposals are not decided yet.")
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        if admin is None:
            raise CommandError("No admin user; run `manage.py seed_demo` first.")
        tracks = {t.format: [] for t in conference.tracks.all()}  # type: dict[str, list[Track]]
        for track in conference.tracks.order_by("position"):
            tracks[track.format].append(track)
        if (
            len(tracks.get(ExpoFormat.TALK, [])) != 1
            or len(tracks.get(ExpoFormat.WORKSHOP, [])) != 2
        ):
            raise CommandError(f"{slug} must have the default three tracks.")
        with transaction.atomic():
            rooms = self._venue(conference, tracks[ExpoFormat.TALK][0], tracks[ExpoFormat.WORKSHOP])
            wishes = self._wishes(conference)
        sorted_now = 0
        if not TrackAssignment.objects.filter(proposal__conference=conference).exists():
            sorted_now = services.tracks_sort_automatically(conference=conference)
        published = ScheduleVersion.objects.filter(
            conference=conference, state=ScheduleState.PUBLISHED
        ).first()
        if published is None:
            version = services.schedule_version_solve(conference=conference, by=admin)
            if not version.sessions.exists():
                reasons = " ".join(c["message"] for c in version.conflicts)
                raise CommandError(f"No schedule for {slug}: {reasons}")
            published = services.schedule_version_publish(version=version, by=admin)
            self.stdout.write(
                f"Solved version {version.number} ({version.get_solver_status_display()}, "
                f"{version.solve_seconds} s, topic overlap {version.topic_overlap_minutes} min, "
                f"{version.missed_preferences} missed wishes) and published it."
            )
        self.stdout.write(
            f"{slug}: {rooms} rooms, {wishes} wishes added now, {sorted_now} proposals sorted "
            f"now; public schedule is version {published.number} "
            f"({published.sessions.count()} sessions)."
        )

    def _venue(self, conference: Conference, talks: Track, workshops: list[Track]) -> int:
        tz = conference.tzinfo
        plan = [(talks, name, ["projector", "microphone"], 220) for name in TALK_ROOMS]
        for track, names in zip(workshops, WORKSHOP_ROOMS, strict=True):
            plan += [(track, name, ["projector", POWER], 40) for name in names]
        for position, (track, name, equipment, seats) in enumerate(plan):
            room, _ = Room.objects.get_or_create(
                conference=conference,
                name=name,
                defaults={"equipment": equipment, "capacity": seats, "position": position},
            )
            for offset in EXPO_DAYS:
                day = conference.starts_on + dt.timedelta(days=offset)
                TrackWindow.objects.get_or_create(
                    track=track,
                    room=room,
                    starts_at=dt.datetime.combine(day, dt.time(9), tz),
                    defaults={"ends_at": dt.datetime.combine(day, dt.time(18), tz)},
                )
        # Talks break for lunch an hour earlier, so that workshops keep two four-hour blocks.
        for offset in EXPO_DAYS:
            day = conference.starts_on + dt.timedelta(days=offset)
            for track, hour in [(talks, 12)] + [(w, 13) for w in workshops]:
                ScheduleBreak.objects.get_or_create(
                    conference=conference,
                    track=track,
                    starts_at=dt.datetime.combine(day, dt.time(hour), tz),
                    defaults={
                        "title": "Lunch",
                        "ends_at": dt.datetime.combine(day, dt.time(hour + 1), tz),
                    },
                )
        return Room.objects.filter(conference=conference).count()

    def _wishes(self, conference: Conference) -> int:
        tz = conference.tzinfo
        accepted = list(
            Proposal.objects.filter(conference=conference, state=ProposalState.ACCEPTED)
            .exclude(session_preference__isnull=False)
            .exclude(speaker_unavailabilities__isnull=False)
            .order_by("pk")
        )
        added = 0
        for proposal in accepted:
            pick = _pick(conference.slug, proposal.pk)
            half_day = ""
            if pick % 4 == 0:
                half_day = HalfDay.MORNING if (pick >> 4) % 2 else HalfDay.AFTERNOON
            equipment = [POWER] if proposal.format == ExpoFormat.WORKSHOP and pick % 3 == 0 else []
            if half_day or equipment:
                SessionPreference.objects.create(
                    proposal=proposal, half_day=half_day, equipment=equipment
                )
                added += 1
            speakers: list[Speaker] = list(proposal.speakers.all())
            for speaker in speakers:
                away = _pick(conference.slug, speaker.email)
                if away % 10:
                    continue
                day = conference.starts_on + dt.timedelta(days=EXPO_DAYS[(away >> 4) % 3])
                morning = (away >> 8) % 2 == 0
                SpeakerUnavailability.objects.create(
                    proposal=proposal,
                    email=speaker.email.lower(),
                    starts_at=dt.datetime.combine(day, dt.time(8 if morning else 13), tz),
                    ends_at=dt.datetime.combine(day, dt.time(13 if morning else 19), tz),
                    note="Travelling" if morning else "Teaching that afternoon",
                )
                added += 1
        return added
