"""Reads for scheduling: the solver's problem from the database, track loads, the public
version, and export data. Each runs a fixed number of queries, however many proposals."""

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping

from django.db.models import Count, Q

from expo.conferences.models import FORMAT_MINUTES, Conference, Track
from expo.proposals.models import Proposal, ProposalState
from scheduling import exports, solver, tracks
from scheduling.models import (
    ScheduleBreak,
    ScheduledSession,
    ScheduleState,
    ScheduleVersion,
    SessionPreference,
    SpeakerUnavailability,
    TrackWindow,
)


def solver_room_id(*, room_id: int, track_id: int) -> str:
    """A room as the solver sees it: one room used by one track."""
    return f"{room_id}:{track_id}"


def solver_room_pk(room_id: str) -> int:
    return int(room_id.split(":", 1)[0])


def _rooms_and_breaks(
    conference: Conference,
) -> tuple[list[Track], list[solver.Room], list[solver.Break]]:
    tracks = list(Track.objects.filter(conference=conference).order_by("position", "name"))
    windows: dict[tuple[int, int], list[TrackWindow]] = defaultdict(list)
    rooms = {}
    for window in TrackWindow.objects.filter(track__conference=conference).select_related("room"):
        windows[window.room_id, window.track_id].append(window)
        rooms[window.room_id] = window.room
    solver_rooms = [
        solver.Room(
            id=solver_room_id(room_id=room_id, track_id=track_id),
            name=rooms[room_id].name,
            track=str(track_id),
            windows=tuple(solver.TimeSpan(w.starts_at, w.ends_at) for w in items),
            equipment=frozenset(rooms[room_id].equipment),
        )
        for (room_id, track_id), items in sorted(windows.items())
    ]
    breaks = [
        solver.Break(
            solver.TimeSpan(b.starts_at, b.ends_at),
            b.title,
            str(b.track_id) if b.track_id is not None else None,
        )
        for b in ScheduleBreak.objects.filter(conference=conference)
    ]
    return tracks, solver_rooms, breaks


def accepted_proposals(*, conference: Conference) -> list[Proposal]:
    """Accepted proposals with what the solver needs (organisation, speakers, topics)."""
    return list(
        Proposal.objects.filter(conference=conference, state=ProposalState.ACCEPTED)
        .select_related("organisation", "track")
        .prefetch_related("speakers", "topics")
        .order_by("pk")
    )


def solver_problem(
    *,
    conference: Conference,
    locked_from: ScheduleVersion | None = None,
    weights: solver.Weights | None = None,
) -> solver.Problem:
    """The conference's scheduling problem: accepted proposals that have a track, the rooms'
    windows and breaks, speakers' unavailability, sponsors' preferences, and the locked
    sessions of ``locked_from``."""
    tracks, rooms, breaks = _rooms_and_breaks(conference)
    proposals = [p for p in accepted_proposals(conference=conference) if p.track_id is not None]
    preferences = {
        p.proposal_id: p
        for p in SessionPreference.objects.filter(proposal__in=[p.pk for p in proposals])
    }
    locks: dict[int, ScheduledSession] = {}
    if locked_from is not None:
        locks = {s.proposal_id: s for s in locked_from.sessions.filter(locked=True)}
    sessions = []
    for proposal in proposals:
        preference = preferences.get(proposal.pk)
        lock = locks.get(proposal.pk)
        sessions.append(
            solver.Session(
                id=str(proposal.pk),
                title=proposal.title,
                track=str(proposal.track_id),
                duration_minutes=proposal.duration_minutes,
                speakers=frozenset(s.email.strip().lower() for s in proposal.speakers.all()),
                # Without an organisation (deleted sponsor) the session constrains nobody else.
                organisation=(
                    proposal.organisation.name
                    if proposal.organisation is not None
                    else f"(no organisation: proposal {proposal.pk})"
                ),
                topics=frozenset(t.name for t in proposal.topics.all()),
                preferred_half_day=(
                    solver.HalfDay(preference.half_day)
                    if preference is not None and preference.half_day
                    else None
                ),
                equipment=frozenset(preference.equipment)
                if preference is not None
                else frozenset(),
                locked=(
                    solver.Placement(
                        solver_room_id(room_id=lock.room_id, track_id=lock.track_id),
                        lock.starts_at,
                    )
                    if lock is not None
                    else None
                ),
            )
        )
    unavailabilities = [
        solver.Unavailability(u.email, solver.TimeSpan(u.starts_at, u.ends_at))
        for u in SpeakerUnavailability.objects.filter(
            proposal__conference=conference, proposal__state=ProposalState.ACCEPTED
        )
    ]
    return solver.Problem(
        tracks=tuple(solver.Track(str(t.pk), t.name) for t in tracks),
        rooms=tuple(rooms),
        sessions=tuple(sessions),
        timezone=conference.tzinfo,
        breaks=tuple(breaks),
        unavailabilities=tuple(unavailabilities),
        weights=weights or solver.Weights(),
    )


def version_placements(*, version: ScheduleVersion) -> list[solver.ScheduledSession]:
    """A stored version in the solver's terms, e.g. to check it with ``schedule_clashes``."""
    return [
        solver.ScheduledSession(
            str(s.proposal_id),
            solver_room_id(room_id=s.room_id, track_id=s.track_id),
            s.starts_at,
            s.ends_at,
            s.locked,
        )
        for s in version.sessions.all()
    ]


@dataclasses.dataclass(frozen=True)
class TrackLoad:
    track: Track
    accepted: int
    available: int  # sessions of the track's format that its rooms' windows hold


def track_loads(*, conference: Conference) -> list[TrackLoad]:
    """Accepted proposals versus available slots, per track, for the review dashboard."""
    tracks, rooms, breaks = _rooms_and_breaks(conference)
    counts = dict(
        Track.objects.filter(conference=conference)
        .annotate(accepted=Count("proposals", filter=Q(proposals__state=ProposalState.ACCEPTED)))
        .values_list("pk", "accepted")
    )
    if not rooms:
        return [TrackLoad(t, counts.get(t.pk, 0), 0) for t in tracks]
    problem = solver.Problem(
        tracks=tuple(solver.Track(str(t.pk), t.name) for t in tracks),
        rooms=tuple(rooms),
        sessions=(),
        timezone=conference.tzinfo,
        breaks=tuple(breaks),
    )
    return [
        TrackLoad(
            t,
            counts.get(t.pk, 0),
            solver.track_capacity(problem, str(t.pk), FORMAT_MINUTES[t.format]),
        )
        for t in tracks
    ]


def track_suggestions(
    *, conference: Conference, fixed: Mapping[int, int] | None = None
) -> list[tracks.TrackAssignment]:
    """A track, with its reason, for every accepted proposal. ``fixed`` maps proposal ids to
    the tracks chairs chose; those are kept and shape the split of the others."""
    fixed = fixed or {}
    capacity = {load.track.pk: load.available for load in track_loads(conference=conference)}
    infos = [
        tracks.TrackInfo(str(t.pk), t.name, t.format, capacity.get(t.pk) or None)
        for t in Track.objects.filter(conference=conference).order_by("position", "name")
    ]
    proposals = [
        tracks.ProposalInfo(
            id=str(p.pk),
            title=p.title,
            format=p.format,
            text=f"{p.abstract}\n{p.outline}",
            topics=frozenset(t.name for t in p.topics.all()),
            fixed_track=str(fixed[p.pk]) if p.pk in fixed else None,
        )
        for p in accepted_proposals(conference=conference)
    ]
    return tracks.proposals_assign_tracks(proposals, infos)


def schedule_version_public(*, conference: Conference) -> ScheduleVersion | None:
    """The version the public sees: the most recently published one."""
    return (
        ScheduleVersion.objects.filter(conference=conference, state=ScheduleState.PUBLISHED)
        .order_by("-published_at", "-number")
        .first()
    )


def schedule_export(
    *,
    version: ScheduleVersion,
    site_url: str,
    schedule_url: str,
    session_url: Callable[[Proposal], str],
) -> exports.ExportSchedule:
    """A version as export data; the addresses must be absolute (the view builds them)."""
    conference = version.conference
    sessions = list(
        version.sessions.select_related("proposal__organisation", "track", "room").prefetch_related(
            "proposal__speakers"
        )
    )
    rooms = {s.room_id: s.room for s in sessions}
    tracks = list(Track.objects.filter(conference=conference).order_by("position", "name"))
    events = tuple(
        exports.ExportEvent(
            id=s.proposal_id,
            title=s.proposal.title,
            abstract=s.proposal.abstract,
            description=s.proposal.outline,
            format=s.proposal.format,
            track=s.track.name,
            room=s.room.name,
            start=s.starts_at,
            end=s.ends_at,
            url=session_url(s.proposal),
            persons=tuple(
                exports.ExportPerson(sp.name, sp.email, sp.bio) for sp in s.proposal.speakers.all()
            ),
            organisation=s.proposal.organisation.name if s.proposal.organisation else "",
        )
        for s in sessions
    )
    generated = version.published_at or version.created_at
    return exports.ExportSchedule(
        conference_slug=conference.slug,
        title=conference.name,
        timezone=conference.timezone,
        start=min(
            [conference.starts_on, *(e.start.astimezone(conference.tzinfo).date() for e in events)]
        ),
        end=max(
            [conference.ends_on, *(e.end.astimezone(conference.tzinfo).date() for e in events)]
        ),
        url=schedule_url,
        base_url=site_url,
        version=str(version.number),
        generated_at=generated.astimezone(dt.UTC),
        rooms=tuple(
            exports.ExportRoom(r.name, r.capacity)
            for r in sorted(rooms.values(), key=lambda r: (r.position, r.name))
        ),
        tracks=tuple(t.name for t in tracks),
        events=events,
        timeslot_minutes=version.grid_minutes or 15,
    )
