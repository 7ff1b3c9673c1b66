"""Reads for scheduling: the solver's problem from the database, track loads, the public
version, and export data. Each runs a fixed number of queries, however many proposals."""

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Mapping

from django.db.models import Count, Q

from expo.conferences.models import FORMAT_MINUTES, Conference, Track
from expo.proposals.models import Proposal, ProposalState
from scheduling import exports, solver, tracks
from scheduling.models import (
    Room,
    ScheduleBreak,
    ScheduleChange,
    ScheduledSession,
    ScheduleState,
    ScheduleVersion,
    SessionPreference,
    SolverStatus,
    SpeakerUnavailability,
    TrackWindow,
)

# The rule each clash kind of ``solver.schedule_clashes`` breaks, in a few words.
CLASH_RULES = {
    "room": "Room double-booked",
    "speaker": "Speaker in two places",
    "organisation": "Organisation's sessions overlap",
    "break": "Runs into a break",
    "window": "Outside the room's opening hours",
    "unavailability": "Speaker unavailable",
    "equipment": "Room lacks equipment",
    "track": "Room of another track",
    "duration": "Wrong length",
    "unplaced": "Not placed",
    "duplicate": "Placed twice",
}


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


def version_clashes(*, version: ScheduleVersion) -> list[solver.Conflict]:
    """Every hard rule the version breaks (none for a schedule the solver made)."""
    if not version.sessions.exists():
        return []
    problem = solver_problem(conference=version.conference)
    if not problem.rooms:
        return []
    return solver.schedule_clashes(problem, version_placements(version=version))


@dataclasses.dataclass(frozen=True)
class TrackLoad:
    track: Track
    accepted: int
    available: int  # sessions of the track's format that its rooms' windows hold

    @property
    def overflow(self) -> int:
        """Accepted sessions beyond the track's slots."""
        return max(0, self.accepted - self.available)


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


# --- Admin pages ------------------------------------------------------------------------------


def schedule_versions(*, conference: Conference) -> list[ScheduleVersion]:
    """Every version of the conference, newest first, with its number of sessions."""
    return list(
        ScheduleVersion.objects.filter(conference=conference)
        .select_related("created_by", "published_by", "based_on")
        .annotate(session_count=Count("sessions"))
        .order_by("-number")
    )


def schedule_versions_waiting_for_solver(*, requested_before: dt.datetime) -> list[int]:
    """Ids of versions, of every conference, requested before ``requested_before`` and still
    waiting for the solver. One query."""
    return list(
        ScheduleVersion.objects.filter(
            solver_status=SolverStatus.PENDING, created_at__lte=requested_before
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def schedule_version_get(*, conference: Conference, number: int) -> ScheduleVersion | None:
    return (
        ScheduleVersion.objects.filter(conference=conference, number=number)
        .select_related("conference", "created_by", "published_by", "based_on")
        .first()
    )


def track_sorting_rows(*, conference: Conference) -> list[Proposal]:
    """Accepted proposals with their track and how it was chosen (``track_assignment``)."""
    return list(
        Proposal.objects.filter(conference=conference, state=ProposalState.ACCEPTED)
        .select_related(
            "organisation",
            "track",
            "track_assignment__track",
            "track_assignment__suggested_track",
            "track_assignment__chosen_by",
        )
        .prefetch_related("topics")
        # Workshops first: they are the ones split between tracks.
        .order_by("-format", "track__position", "title")
    )


def schedule_changes(*, conference: Conference, limit: int = 200) -> list[ScheduleChange]:
    """Changes to the public schedule after publication, newest first."""
    return list(
        ScheduleChange.objects.filter(conference=conference)
        .select_related("version", "by")
        .order_by("-at", "-pk")[:limit]
    )


@dataclasses.dataclass(frozen=True)
class Place:
    room: str
    start: dt.datetime
    end: dt.datetime


@dataclasses.dataclass(frozen=True)
class SessionDiff:
    proposal_id: int
    title: str
    organisation: str
    before: Place | None
    after: Place | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        if self.before == self.after:
            return "same"
        if self.before.room != self.after.room and self.before.start == self.after.start:
            return "room"
        if self.before.room == self.after.room:
            return "time"
        return "moved"


def _places(version: ScheduleVersion) -> dict[int, tuple[ScheduledSession, Place]]:
    return {
        s.proposal_id: (s, Place(s.room.name, s.starts_at, s.ends_at))
        for s in version.sessions.select_related("room", "proposal__organisation")
    }


def schedule_versions_diff(*, before: ScheduleVersion, after: ScheduleVersion) -> list[SessionDiff]:
    """Every proposal in either version with its place in each, in the order of ``after``'s
    times (removed ones last). Two queries, however many sessions."""
    old, new = _places(before), _places(after)
    diffs = []
    for pid in sorted(old.keys() | new.keys()):
        session = (new.get(pid) or old[pid])[0]
        organisation = session.proposal.organisation
        diffs.append(
            SessionDiff(
                pid,
                session.proposal.title,
                organisation.name if organisation is not None else "",
                old[pid][1] if pid in old else None,
                new[pid][1] if pid in new else None,
            )
        )
    return sorted(
        diffs,
        key=lambda d: (0, d.after.start, d.title) if d.after else (1, d.before.start, d.title),  # type: ignore[union-attr]
    )


# --- The grid (rooms × time) --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GridColumn:
    """One room as used by one track (the solver's room)."""

    room: Room
    track: Track

    @property
    def key(self) -> str:
        return solver_room_id(room_id=self.room.pk, track_id=self.track.pk)


@dataclasses.dataclass(frozen=True)
class GridSession:
    session: ScheduledSession
    clash_kinds: tuple[str, ...]
    missed_preference: bool

    @property
    def proposal(self) -> Proposal:
        return self.session.proposal

    @property
    def clash_rules(self) -> list[str]:
        return [CLASH_RULES.get(kind, kind) for kind in self.clash_kinds]


@dataclasses.dataclass(frozen=True)
class GridCell:
    """A table cell: sessions (several only when they overlap in this room, which is a clash),
    a free slot (a move target), a break, or closed time. ``rowspan`` rows tall."""

    kind: str  # "sessions", "free", "break" or "closed"
    rowspan: int
    column: GridColumn
    start: dt.datetime
    sessions: tuple[GridSession, ...] = ()
    label: str = ""

    @property
    def target(self) -> str:
        """The move target a free cell posts: ``<room>:<track>:<UTC ISO start>``."""
        return f"{self.column.key}:{self.start.astimezone(dt.UTC).isoformat()}"


@dataclasses.dataclass(frozen=True)
class GridRow:
    start: dt.datetime
    cells: tuple[GridCell, ...]


@dataclasses.dataclass(frozen=True)
class GridDay:
    date: dt.date
    rows: tuple[GridRow, ...]


@dataclasses.dataclass(frozen=True)
class ScheduleGrid:
    version: ScheduleVersion
    columns: tuple[GridColumn, ...]
    days: tuple[GridDay, ...]
    day: GridDay | None  # the day shown
    step_minutes: int
    clashes: tuple[solver.Conflict, ...]
    score: solver.Score
    sessions: dict[int, ScheduledSession]  # by pk
    not_accepted: tuple[str, ...]  # titles of sessions whose proposal is no longer accepted


def _version_sessions(version: ScheduleVersion) -> list[ScheduledSession]:
    return list(
        version.sessions.select_related("proposal__organisation", "room", "track").prefetch_related(
            "proposal__speakers"
        )
    )


def _local_minutes(moment: dt.datetime, tz: dt.tzinfo) -> int:
    local = moment.astimezone(tz)
    return local.hour * 60 + local.minute


def schedule_grid(*, version: ScheduleVersion, day: dt.date | None = None) -> ScheduleGrid:
    """The version as a rooms × time table for one day (the first by default), with every
    broken rule and the soft-rule score. A fixed number of queries, however many sessions."""
    conference = version.conference
    tz = conference.tzinfo
    problem = solver_problem(conference=conference)
    sessions = _version_sessions(version)
    placements = [
        solver.ScheduledSession(
            str(s.proposal_id),
            solver_room_id(room_id=s.room_id, track_id=s.track_id),
            s.starts_at,
            s.ends_at,
            s.locked,
        )
        for s in sessions
    ]
    problem_rooms = {r.id: r for r in problem.rooms}
    has_rooms = bool(problem.rooms)
    clashes = tuple(solver.schedule_clashes(problem, placements)) if has_rooms else ()
    score = solver.schedule_score(problem, placements)
    clash_kinds: dict[str, set[str]] = defaultdict(set)
    for clash in clashes:
        for sid in clash.sessions:
            clash_kinds[sid].add(clash.kind)
    missed = set(score.missed_preferences)
    accepted_ids = {s.id for s in problem.sessions}
    not_accepted = tuple(
        sorted(s.proposal.title for s in sessions if str(s.proposal_id) not in accepted_ids)
    )

    # Columns: every (room, track) with windows, and any a session sits in without one.
    track_rows = {t.pk: t for t in Track.objects.filter(conference=conference)}
    room_rows = {r.pk: r for r in Room.objects.filter(conference=conference)}
    keys = set(problem_rooms) | {p.room for p in placements}
    columns = sorted(
        (
            GridColumn(room_rows[solver_room_pk(k)], track_rows[int(k.split(":")[1])])
            for k in keys
            if solver_room_pk(k) in room_rows and int(k.split(":")[1]) in track_rows
        ),
        key=lambda c: (c.track.position, c.track.name, c.room.position, c.room.name),
    )

    # Open stretches (windows minus breaks) and breaks per column, in real time.
    segments: dict[str, list[solver.TimeSpan]] = {}
    for column in columns:
        room = problem_rooms.get(column.key)
        segments[column.key] = solver.room_segments(problem, room) if room is not None else []
    breaks_of: dict[str, list[solver.Break]] = {
        c.key: [b for b in problem.breaks if b.track in (None, str(c.track.pk))] for c in columns
    }

    # Days and the row step: the greatest common divisor of every boundary's local minute.
    by_day: dict[dt.date, list[dt.datetime]] = defaultdict(list)
    for spans in segments.values():
        for span in spans:
            by_day[span.start.astimezone(tz).date()] += [span.start, span.end]
    for column in columns:
        for brk in breaks_of[column.key]:
            if brk.span.start.astimezone(tz).date() in by_day:
                by_day[brk.span.start.astimezone(tz).date()] += [brk.span.start, brk.span.end]
    for s in sessions:
        by_day[s.starts_at.astimezone(tz).date()] += [s.starts_at, s.ends_at]
    step = 0
    for moments in by_day.values():
        for moment in moments:
            step = math.gcd(step, _local_minutes(moment, tz))
    for s in sessions:
        step = math.gcd(step, round((s.ends_at - s.starts_at).total_seconds() / 60))
    step = max(step or 60, solver.MIN_GRID_MINUTES)

    grid_sessions: dict[int, GridSession] = {
        s.pk: GridSession(
            s,
            tuple(sorted(clash_kinds.get(str(s.proposal_id), ()))),
            str(s.proposal_id) in missed,
        )
        for s in sessions
    }
    in_column: dict[str, list[ScheduledSession]] = defaultdict(list)
    for s, p in zip(sessions, placements, strict=True):
        in_column[p.room].append(s)

    days = tuple(sorted(by_day))
    chosen = day if day in by_day else (days[0] if days else None)
    grid_days = []
    for date in days:
        if date != chosen:
            grid_days.append(GridDay(date, ()))
            continue
        grid_days.append(
            _grid_day(
                date,
                by_day[date],
                columns,
                segments,
                breaks_of,
                in_column,
                grid_sessions,
                step,
                tz,
            )
        )
    shown = next((d for d in grid_days if d.date == chosen), None)
    return ScheduleGrid(
        version=version,
        columns=tuple(columns),
        days=tuple(grid_days),
        day=shown,
        step_minutes=step,
        clashes=clashes,
        score=score,
        sessions={s.pk: s for s in sessions},
        not_accepted=not_accepted,
    )


def _grid_day(
    date: dt.date,
    moments: list[dt.datetime],
    columns: list[GridColumn],
    segments: dict[str, list[solver.TimeSpan]],
    breaks_of: dict[str, list[solver.Break]],
    in_column: dict[str, list[ScheduledSession]],
    grid_sessions: dict[int, GridSession],
    step: int,
    tz: dt.tzinfo,
) -> GridDay:
    first = min(moments)
    last = max(moments)
    # Rows are wall-clock times of the day; arithmetic in UTC keeps a daylight-saving day right.
    starts: list[dt.datetime] = []
    moment = first
    while moment < last:
        starts.append(moment.astimezone(tz))
        moment = (moment.astimezone(dt.UTC) + dt.timedelta(minutes=step)).astimezone(tz)
    index = {m.timestamp(): n for n, m in enumerate(starts)}
    count = len(starts)

    def row_of(moment: dt.datetime, *, end: bool = False) -> int:
        """The row a moment falls in (clamped to the day), or just past it for an end."""
        stamp = moment.timestamp()
        if stamp in index:
            return index[stamp]
        if stamp <= starts[0].timestamp():
            return 0
        if end and stamp >= last.timestamp():
            return count
        return next((n for n, m in enumerate(starts) if m.timestamp() > stamp), count) - (
            0 if end else 1
        )

    table: list[list[GridCell | None]] = [[None] * len(columns) for _ in range(count)]
    taken = [[False] * len(columns) for _ in range(count)]
    for c, column in enumerate(columns):
        # Sessions of this day, merged into clusters where they overlap (a clash).
        mine = sorted(
            (s for s in in_column.get(column.key, ()) if s.starts_at.astimezone(tz).date() == date),
            key=lambda s: (s.starts_at, s.pk),
        )
        clusters: list[list[ScheduledSession]] = []
        for s in mine:
            if clusters and s.starts_at < max(x.ends_at for x in clusters[-1]):
                clusters[-1].append(s)
            else:
                clusters.append([s])
        for cluster in clusters:
            top = row_of(cluster[0].starts_at)
            bottom = max(top + 1, row_of(max(s.ends_at for s in cluster), end=True))
            if any(taken[r][c] for r in range(top, bottom)):
                continue  # cannot happen: clusters are disjoint
            for r in range(top, bottom):
                taken[r][c] = True
            table[top][c] = GridCell(
                "sessions",
                bottom - top,
                column,
                starts[top],
                tuple(grid_sessions[s.pk] for s in cluster),
            )
        # Free, break or closed for the rest; runs of breaks or closed rows are merged.
        r = 0
        while r < count:
            if taken[r][c]:
                r += 1
                continue
            kind, label = _slot_kind(starts[r], step, segments[column.key], breaks_of[column.key])
            span = 1
            if kind != "free":
                while (
                    r + span < count
                    and not taken[r + span][c]
                    and _slot_kind(
                        starts[r + span], step, segments[column.key], breaks_of[column.key]
                    )
                    == (kind, label)
                ):
                    span += 1
            table[r][c] = GridCell(kind, span, column, starts[r], label=label)
            for k in range(r, r + span):
                taken[k][c] = True
            r += span
    rows = tuple(
        GridRow(starts[r], tuple(cell for cell in table[r] if cell is not None))
        for r in range(count)
    )
    return GridDay(date, rows)


def _slot_kind(
    start: dt.datetime,
    step: int,
    segments: list[solver.TimeSpan],
    breaks: list[solver.Break],
) -> tuple[str, str]:
    end = (start.astimezone(dt.UTC) + dt.timedelta(minutes=step)).timestamp()
    begin = start.timestamp()
    for brk in breaks:
        if brk.span.start.timestamp() < end and begin < brk.span.end.timestamp():
            return "break", brk.title
    for span in segments:
        if span.start.timestamp() <= begin and end <= span.end.timestamp():
            return "free", ""
    return "closed", ""


# --- The public schedule ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProgrammeCell:
    track: Track
    column: int  # 1-based position among the tracks shown, for the CSS grid
    sessions: tuple[ScheduledSession, ...]


@dataclasses.dataclass(frozen=True)
class ProgrammeSlot:
    start: dt.datetime
    cells: tuple[ProgrammeCell, ...]  # one per track shown, possibly empty


@dataclasses.dataclass(frozen=True)
class ProgrammeDay:
    date: dt.date
    slots: tuple[ProgrammeSlot, ...]


@dataclasses.dataclass(frozen=True)
class Programme:
    tracks: tuple[Track, ...]
    days: tuple[ProgrammeDay, ...]


def public_programme(*, version: ScheduleVersion, track: Track | None = None) -> Programme:
    """A published version as days of start times, each with the sessions starting then per
    track (only ``track``'s when given). Four queries, however many sessions."""
    tz = version.conference.tzinfo
    tracks = tuple(
        [track]
        if track is not None
        else Track.objects.filter(conference_id=version.conference_id).order_by("position", "name")
    )
    sessions = version.sessions.select_related(
        "proposal__organisation", "room", "track"
    ).prefetch_related("proposal__speakers")
    if track is not None:
        sessions = sessions.filter(track=track)
    starting: dict[dt.date, dict[dt.datetime, list[ScheduledSession]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for session in sessions.order_by("starts_at", "room__position", "room__name"):
        local = session.starts_at.astimezone(tz)
        starting[local.date()][local].append(session)
    days = []
    for date in sorted(starting):
        slots = []
        for start in sorted(starting[date]):
            here = starting[date][start]
            slots.append(
                ProgrammeSlot(
                    start,
                    tuple(
                        ProgrammeCell(t, n, tuple(s for s in here if s.track_id == t.pk))
                        for n, t in enumerate(tracks, start=1)
                    ),
                )
            )
        days.append(ProgrammeDay(date, tuple(slots)))
    return Programme(tracks, tuple(days))
