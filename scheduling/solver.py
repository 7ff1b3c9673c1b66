"""Place accepted Expo sessions in rooms and times: a time-indexed model solved by HiGHS or
OR-Tools CP-SAT, with CP-SAT explaining in sentences why no schedule exists.

Pure Python: imports no Django, so the bench, the tests and a Celery task can all call it.
The model, its time grid and the measured choice of engines are described in docs/scheduling.md.

Hard rules: every session is placed once, inside one uninterrupted stretch of a room of its
track (so a four-hour workshop is one contiguous block that never crosses a break); a room holds
one session at a time; no speaker (by e-mail) and no organisation is in two sessions at once;
speakers' unavailability is respected; locked sessions stay where they are.
Soft rules (minimised): minutes in which sessions sharing a topic run in parallel, and missed
morning/afternoon preferences.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import numpy as np
from ortools.sat.python import cp_model
from scipy import optimize, sparse

DASH = "\N{EN DASH}"
# Windows and breaks are rounded to this many minutes, so the grid is never finer.
MIN_GRID_MINUTES = 5


class HalfDay(enum.StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"


class SolveStatus(enum.StrEnum):
    OPTIMAL = "optimal"  # proven best under the weights
    FEASIBLE = "feasible"  # a valid schedule; best_bound says how far from optimal at most
    INFEASIBLE = "infeasible"  # proven: no schedule satisfies the hard rules; see conflicts
    UNKNOWN = "unknown"  # time ran out before any schedule was found or disproved


class Engine(enum.StrEnum):
    HIGHS = "highs"  # MILP branch-and-cut, through scipy.optimize.milp
    CP_SAT = "cp-sat"  # OR-Tools' constraint solver


class ProblemError(ValueError):
    """The input is malformed (a programming or data-entry error, not an unsolvable problem)."""


@dataclasses.dataclass(frozen=True)
class TimeSpan:
    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ProblemError(f"Times must carry a time zone: {self.start} to {self.end}.")
        if self.end.timestamp() <= self.start.timestamp():
            raise ProblemError(f"A time span must end after it starts: {self.start} to {self.end}.")


@dataclasses.dataclass(frozen=True)
class Track:
    id: str
    name: str


@dataclasses.dataclass(frozen=True)
class Room:
    """A room as used by one track: the windows in which that track runs there."""

    id: str
    name: str
    track: str
    windows: tuple[TimeSpan, ...]
    equipment: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Break:
    """No session runs across a break; ``track=None`` means a break for every track."""

    span: TimeSpan
    title: str = "Break"
    track: str | None = None


@dataclasses.dataclass(frozen=True)
class Unavailability:
    speaker: str  # e-mail address
    span: TimeSpan


@dataclasses.dataclass(frozen=True)
class Placement:
    room: str
    start: dt.datetime


@dataclasses.dataclass(frozen=True)
class Session:
    id: str
    title: str
    track: str
    duration_minutes: int
    speakers: frozenset[str]  # e-mail addresses
    organisation: str
    topics: frozenset[str] = frozenset()
    preferred_half_day: HalfDay | None = None
    locked: Placement | None = None
    equipment: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Weights:
    """Objective weights: one missed preference costs as much as two hours of topic overlap."""

    topic_overlap_minute: int = 1
    missed_preference: int = 120


@dataclasses.dataclass(frozen=True)
class Problem:
    tracks: tuple[Track, ...]
    rooms: tuple[Room, ...]
    sessions: tuple[Session, ...]
    timezone: ZoneInfo
    breaks: tuple[Break, ...] = ()
    unavailabilities: tuple[Unavailability, ...] = ()
    midday: dt.time = dt.time(12, 0)  # sessions starting before it (local time) are "morning"
    weights: Weights = Weights()


@dataclasses.dataclass(frozen=True)
class ScheduledSession:
    session: str
    room: str
    start: dt.datetime
    end: dt.datetime
    locked: bool = False


@dataclasses.dataclass(frozen=True)
class Conflict:
    """One sentence for an admin: a clash in a schedule, or one of the rules that conflict."""

    kind: str
    message: str
    sessions: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Score:
    topic_overlap_minutes: int
    missed_preferences: tuple[str, ...]
    objective: int


@dataclasses.dataclass(frozen=True)
class Solution:
    status: SolveStatus
    placements: tuple[ScheduledSession, ...]
    objective: int | None
    best_bound: float | None
    wall_seconds: float
    grid_minutes: int | None
    conflicts: tuple[Conflict, ...] = ()
    score: Score | None = None

    @property
    def has_schedule(self) -> bool:
        return self.status in {SolveStatus.OPTIMAL, SolveStatus.FEASIBLE}


# --- Formatting for admins ------------------------------------------------------------------


def duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def span_text(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> str:
    """``Tue 9 Jun 09:00-13:00`` (with an en dash) in the conference's time zone."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    head = f"{a:%a} {a.day} {a:%b} {a:%H:%M}"
    if a.date() == b.date():
        return f"{head}{DASH}{b:%H:%M}"
    return f"{head} {DASH} {b:%a} {b.day} {b:%b} {b:%H:%M}"


def spans_text(spans: Iterable[tuple[dt.datetime, dt.datetime]], tz: ZoneInfo) -> str:
    """Several spans, grouped by day: ``Tue 9 Jun 09:00-13:00 and 14:00-18:00; Wed …``."""
    days: dict[dt.date, list[str]] = {}
    heads: dict[dt.date, str] = {}
    for start, end in sorted(spans):
        a, b = start.astimezone(tz), end.astimezone(tz)
        if a.date() != b.date():
            days.setdefault(a.date(), []).append(span_text(start, end, tz))
            heads.setdefault(a.date(), "")
            continue
        heads.setdefault(a.date(), f"{a:%a} {a.day} {a:%b} ")
        days.setdefault(a.date(), []).append(f"{a:%H:%M}{DASH}{b:%H:%M}")
    return "; ".join(
        heads[day] + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0])
        for day, parts in days.items()
    )


def _quoted(titles: Iterable[str]) -> str:
    items = [f"“{t}”" for t in titles]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _email(address: str) -> str:
    return address.strip().casefold()


# --- Time arithmetic ------------------------------------------------------------------------


def _epoch(problem: Problem) -> dt.datetime:
    """The earliest window start, floored to the local hour, so grid points are clock times."""
    starts = [w.start for r in problem.rooms for w in r.windows]
    if not starts:
        raise ProblemError("No room has a time window: there is nowhere to put sessions.")
    first = min(starts).astimezone(problem.timezone)
    return first.replace(minute=0, second=0, microsecond=0)


def _minutes(moment: dt.datetime, epoch: dt.datetime) -> float:
    # Subtracting two datetimes with the same tzinfo ignores a daylight-saving change between
    # them (Python compares wall clocks); timestamps do not.
    return (moment.timestamp() - epoch.timestamp()) / 60


def _round_in(span: TimeSpan, epoch: dt.datetime) -> tuple[int, int]:
    step = MIN_GRID_MINUTES
    start = math.ceil(_minutes(span.start, epoch) / step) * step
    end = math.floor(_minutes(span.end, epoch) / step) * step
    return start, end


def _round_out(span: TimeSpan, epoch: dt.datetime) -> tuple[int, int]:
    step = MIN_GRID_MINUTES
    start = math.floor(_minutes(span.start, epoch) / step) * step
    end = math.ceil(_minutes(span.end, epoch) / step) * step
    return start, end


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(spans: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result = spans
    for h_start, h_end in holes:
        nxt: list[tuple[int, int]] = []
        for start, end in result:
            if h_end <= start or end <= h_start:
                nxt.append((start, end))
                continue
            if start < h_start:
                nxt.append((start, h_start))
            if h_end < end:
                nxt.append((h_end, end))
        result = nxt
    return result


def _overlaps(a_start: float, a_end: float, b_start: float, b_end: float) -> bool:
    return a_start < b_end and b_start < a_end


def room_segments(problem: Problem, room: Room) -> list[TimeSpan]:
    """The uninterrupted stretches of ``room``: its windows minus its track's breaks."""
    epoch = _epoch(problem)
    return [TimeSpan(_at(epoch, a), _at(epoch, b)) for a, b in _segments(problem, room, epoch)]


def _plus(moment: dt.datetime, minutes: float) -> dt.datetime:
    """``moment`` plus real minutes, across a daylight-saving change too."""
    return _at(moment, minutes)


def _at(epoch: dt.datetime, minutes: float) -> dt.datetime:
    # Arithmetic in UTC, so a daylight-saving change inside the conference cannot shift times.
    return (epoch.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)).astimezone(epoch.tzinfo)


def _segments(problem: Problem, room: Room, epoch: dt.datetime) -> list[tuple[int, int]]:
    windows = _merge(_round_in(w, epoch) for w in room.windows)
    holes = _merge(
        _round_out(b.span, epoch)
        for b in problem.breaks
        if b.track is None or b.track == room.track
    )
    return _subtract(windows, holes)


def track_capacity(problem: Problem, track: str, duration_minutes: int) -> int:
    """How many sessions of ``duration_minutes`` the track's rooms can hold, back to back."""
    epoch = _epoch(problem)
    return sum(
        (end - start) // duration_minutes
        for room in problem.rooms
        if room.track == track
        for start, end in _segments(problem, room, epoch)
    )


# --- Compiling the problem onto a time grid -------------------------------------------------


@dataclasses.dataclass
class _RoomClass:
    """Rooms of one track that are interchangeable: same stretches, same equipment.

    The model only decides how many sessions run in the class at each time; which room each
    one gets is decided afterwards (interval-graph colouring never needs more rooms than the
    largest number of sessions running at once).
    """

    index: int
    track: str
    rooms: list[Room]
    segments: tuple[tuple[int, int], ...]
    equipment: frozenset[str]

    @property
    def key(self) -> str:
        """Names the pool independently of the order in which pools were built."""
        return ",".join(sorted(r.id for r in self.rooms))


@dataclasses.dataclass(frozen=True)
class _Option:
    session: int
    room_class: int
    start: int
    end: int
    unavailable: frozenset[str]  # speakers who are unavailable during it
    is_lock: bool


@dataclasses.dataclass
class _Compiled:
    problem: Problem
    epoch: dt.datetime
    grid: int
    classes: list[_RoomClass]
    options: list[_Option]
    by_session: list[list[int]]  # option indices per session
    speakers: dict[str, list[int]]  # e-mail → session indices
    organisations: dict[str, list[int]]
    topics: dict[str, list[int]]
    unavailability: dict[str, list[tuple[float, float]]]
    tracks: dict[str, Track]
    split_locked_rooms: bool


def _validate(problem: Problem) -> None:
    track_ids = {t.id for t in problem.tracks}
    if len(track_ids) != len(problem.tracks):
        raise ProblemError("Two tracks share an id.")
    room_ids = [r.id for r in problem.rooms]
    if len(set(room_ids)) != len(room_ids):
        raise ProblemError("Two rooms share an id.")
    for room in problem.rooms:
        if room.track not in track_ids:
            raise ProblemError(f"Room {room.name} belongs to an unknown track {room.track!r}.")
    session_ids = [s.id for s in problem.sessions]
    if len(set(session_ids)) != len(session_ids):
        raise ProblemError("Two sessions share an id.")
    for session in problem.sessions:
        if session.track not in track_ids:
            raise ProblemError(f"“{session.title}” is in an unknown track {session.track!r}.")
        if session.duration_minutes <= 0:
            raise ProblemError(f"“{session.title}” must last a positive number of minutes.")
        if not session.speakers:
            raise ProblemError(f"“{session.title}” has no speaker.")
        if session.locked is not None and session.locked.start.tzinfo is None:
            raise ProblemError(f"The locked start of “{session.title}” has no time zone.")
    for brk in problem.breaks:
        if brk.track is not None and brk.track not in track_ids:
            raise ProblemError(f"Break {brk.title} belongs to an unknown track {brk.track!r}.")


def _compile(
    problem: Problem, *, split_locked_rooms: bool = False
) -> tuple[_Compiled | None, list[Conflict]]:
    """Options per session on the coarsest exact grid, plus pre-check conflicts.

    With ``split_locked_rooms`` a room holding a locked session is its own class, which makes
    the model exact but larger; otherwise it stays in its pool and the room assignment is
    checked afterwards (see ``_assign_rooms``).
    """
    _validate(problem)
    epoch = _epoch(problem)
    tracks = {t.id: t for t in problem.tracks}
    rooms = {r.id: r for r in problem.rooms}
    sessions = problem.sessions
    conflicts: list[Conflict] = []

    segments = {r.id: _segments(problem, r, epoch) for r in problem.rooms}
    unavailability: dict[str, list[tuple[float, float]]] = defaultdict(list)
    unavailability_points: list[int] = []
    for u in problem.unavailabilities:
        start, end = _minutes(u.span.start, epoch), _minutes(u.span.end, epoch)
        unavailability[_email(u.speaker)].append((start, end))
        unavailability_points += [round(x) for x in _round_out(u.span, epoch)]

    # The grid: the largest step that divides every duration and every boundary, so that the
    # grid loses no schedule that exists in continuous time (see docs/scheduling.md).
    points = [s.duration_minutes for s in sessions]
    points += [x for segs in segments.values() for seg in segs for x in seg]
    points += unavailability_points
    for session in sessions:
        if session.locked is not None:
            points.append(round(_minutes(session.locked.start, epoch)))
    grid = 0
    for value in points:
        grid = math.gcd(grid, value)
    grid = grid or 60
    if grid < MIN_GRID_MINUTES:
        odd = [
            s.title
            for s in sessions
            if s.duration_minutes % MIN_GRID_MINUTES
            or (s.locked is not None and round(_minutes(s.locked.start, epoch)) % MIN_GRID_MINUTES)
        ]
        conflicts.append(
            Conflict(
                "grid",
                f"Sessions must last, and locked sessions start at, a multiple of "
                f"{MIN_GRID_MINUTES} minutes; not so for {_quoted(odd)}.",
                tuple(s.id for s in sessions if s.title in odd),
            )
        )
        return None, conflicts

    # Interchangeable rooms are pooled.
    locked_rooms = (
        {s.locked.room for s in sessions if s.locked is not None} if split_locked_rooms else set()
    )
    classes: list[_RoomClass] = []
    pools: dict[tuple[str, tuple[tuple[int, int], ...], frozenset[str]], _RoomClass] = {}
    class_of_room: dict[str, int] = {}
    for room in sorted(problem.rooms, key=lambda r: (r.track, r.name, r.id)):
        segs = tuple(segments[room.id])
        if not segs:
            continue
        key = (room.track, segs, room.equipment)
        if room.id not in locked_rooms and key in pools:
            cls = pools[key]
            cls.rooms.append(room)
        else:
            cls = _RoomClass(len(classes), room.track, [room], segs, room.equipment)
            classes.append(cls)
            if room.id not in locked_rooms:
                pools[key] = cls
        class_of_room[room.id] = cls.index

    options: list[_Option] = []
    by_session: list[list[int]] = []
    for index, session in enumerate(sessions):
        mine: list[int] = []
        speakers = {_email(e) for e in session.speakers}
        duration = session.duration_minutes
        lock_key: tuple[int, int] | None = None
        if session.locked is not None:
            lock_start, lock_conflict = _check_lock(problem, session, rooms, segments, epoch)
            if lock_conflict is not None:
                conflicts.append(lock_conflict)
            elif lock_start is not None:
                lock_key = (class_of_room[session.locked.room], lock_start)
        for cls in classes:
            if cls.track != session.track or not session.equipment <= cls.equipment:
                continue
            for seg_start, seg_end in cls.segments:
                for start in range(seg_start, seg_end - duration + 1, grid):
                    end = start + duration
                    blocked = frozenset(
                        e
                        for e in speakers
                        for a, b in unavailability.get(e, ())
                        if _overlaps(start, end, a, b)
                    )
                    is_lock = lock_key == (cls.index, start)
                    mine.append(len(options))
                    options.append(_Option(index, cls.index, start, end, blocked, is_lock))
        by_session.append(mine)
        conflicts += _precheck_session(problem, session, [options[i] for i in mine], segments)

    conflicts += _precheck_capacity(problem, segments, epoch)
    if conflicts:
        return None, conflicts

    speakers_index: dict[str, list[int]] = defaultdict(list)
    organisations: dict[str, list[int]] = defaultdict(list)
    topics: dict[str, list[int]] = defaultdict(list)
    for index, session in enumerate(sessions):
        for email in sorted({_email(e) for e in session.speakers}):
            speakers_index[email].append(index)
        organisations[session.organisation].append(index)
        for topic in sorted(session.topics):
            topics[topic].append(index)
    compiled = _Compiled(
        problem=problem,
        epoch=epoch,
        grid=grid,
        classes=classes,
        options=options,
        by_session=by_session,
        speakers=dict(speakers_index),
        organisations=dict(organisations),
        topics=dict(topics),
        unavailability=dict(unavailability),
        tracks=tracks,
        split_locked_rooms=split_locked_rooms,
    )
    return compiled, []


def _check_lock(
    problem: Problem,
    session: Session,
    rooms: dict[str, Room],
    segments: dict[str, list[tuple[int, int]]],
    epoch: dt.datetime,
) -> tuple[int | None, Conflict | None]:
    """The locked start in grid minutes, or why the lock cannot be kept."""
    assert session.locked is not None
    tz = problem.timezone
    lock = session.locked
    room = rooms.get(lock.room)
    end = _plus(lock.start, session.duration_minutes)
    where = span_text(lock.start, end, tz)
    if room is None:
        return None, Conflict(
            "lock", f"“{session.title}” is locked in a room that no longer exists.", (session.id,)
        )
    if room.track != session.track:
        return None, Conflict(
            "lock",
            f"“{session.title}” is locked in {room.name}, which is not a room of its track "
            f"{_track_name(problem, session.track)}.",
            (session.id,),
        )
    start = _minutes(lock.start, epoch)
    if not any(a <= start and start + session.duration_minutes <= b for a, b in segments[room.id]):
        return None, Conflict(
            "lock",
            f"“{session.title}” is locked at {where} in {room.name}, outside the room's time "
            "windows or across a break.",
            (session.id,),
        )
    return round(start), None


def _track_name(problem: Problem, track: str) -> str:
    return next((t.name for t in problem.tracks if t.id == track), track)


def _precheck_session(
    problem: Problem,
    session: Session,
    options: list[_Option],
    segments: dict[str, list[tuple[int, int]]],
) -> list[Conflict]:
    if options and any(not o.unavailable for o in options):
        return []
    track = _track_name(problem, session.track)
    rooms = [r for r in problem.rooms if r.track == session.track and segments[r.id]]
    if not rooms:
        message = f"“{session.title}” is in {track}, which has no room with time windows."
        return [Conflict("windows", message, (session.id,))]
    suitable = [r for r in rooms if session.equipment <= r.equipment]
    if not suitable:
        message = (
            f"“{session.title}” needs {', '.join(sorted(session.equipment))}, which no room "
            f"of {track} has."
        )
        return [Conflict("equipment", message, (session.id,))]
    if not options:
        epoch = _epoch(problem)
        longest = max((b - a, a, b) for r in suitable for a, b in segments[r.id])
        stretch = span_text(_at(epoch, longest[1]), _at(epoch, longest[2]), problem.timezone)
        message = (
            f"“{session.title}” lasts {duration_text(session.duration_minutes)}, but the "
            f"longest stretch without a break in {track} is {duration_text(longest[0])} "
            f"({stretch})."
        )
        return [Conflict("windows", message, (session.id,))]
    who = sorted({e for o in options for e in o.unavailable})
    message = (
        f"“{session.title}” ({duration_text(session.duration_minutes)}) fits nowhere: "
        f"{', '.join(who)} {'is' if len(who) == 1 else 'are'} unavailable at every time "
        f"{track} is open long enough."
    )
    return [Conflict("unavailability", message, (session.id,))]


def _precheck_capacity(
    problem: Problem, segments: dict[str, list[tuple[int, int]]], epoch: dt.datetime
) -> list[Conflict]:
    conflicts = []
    for track in problem.tracks:
        mine = [s for s in problem.sessions if s.track == track.id]
        rooms = [r for r in problem.rooms if r.track == track.id]
        if not mine or not rooms:
            continue
        durations = {s.duration_minutes for s in mine}
        if len(durations) == 1:
            duration = durations.pop()
            blocks = sum((b - a) // duration for r in rooms for a, b in segments[r.id])
            if len(mine) > blocks:
                opening = "; ".join(
                    f"{r.name}: "
                    + spans_text(
                        ((_at(epoch, a), _at(epoch, b)) for a, b in segments[r.id]),
                        problem.timezone,
                    )
                    for r in rooms
                    if segments[r.id]
                )
                conflicts.append(
                    Conflict(
                        "capacity",
                        f"{track.name} has {len(mine)} sessions of "
                        f"{duration_text(duration)} but its rooms hold only {blocks} "
                        f"({opening or 'no time windows'}).",
                        tuple(s.id for s in mine),
                    )
                )
            continue
        needed = sum(s.duration_minutes for s in mine)
        offered = sum(b - a for r in rooms for a, b in segments[r.id])
        if needed > offered:
            conflicts.append(
                Conflict(
                    "capacity",
                    f"{track.name} has {duration_text(needed)} of sessions but its rooms are "
                    f"open for only {duration_text(offered)}.",
                    tuple(s.id for s in mine),
                )
            )
    return conflicts


# --- The CP-SAT model -----------------------------------------------------------------------


@dataclasses.dataclass
class _Model:
    model: cp_model.CpModel
    x: list[cp_model.IntVar]
    assumptions: dict[int, tuple[str, str]]  # literal index → (kind, key)
    literals: list[cp_model.IntVar]


def _slots(option: _Option, grid: int) -> range:
    return range(option.start // grid, option.end // grid)


@dataclasses.dataclass(frozen=True)
class _Row:
    """At most ``limit`` of ``options`` may be chosen: one grid slot of one rule group."""

    kind: str  # "capacity", "speaker" or "organisation"
    key: str
    options: tuple[int, ...]
    limit: int


@dataclasses.dataclass(frozen=True)
class _Rows:
    """The model both engines solve, as plain index lists (time-indexed formulation)."""

    usable: list[bool]
    places: list[list[int]]  # per session: its usable options; exactly one is chosen
    limits: list[_Row]
    topics: list[tuple[str, int, tuple[int, ...]]]  # (topic, slot, options covering it)
    preference_costs: dict[int, int]  # option → cost of missing a preference there


def _usable(c: _Compiled, *, explain: bool) -> list[bool]:
    # With explain, every option stays and the rules that forbid some are switched instead.
    sessions = c.problem.sessions
    return [
        explain or (not o.unavailable and (sessions[o.session].locked is None or o.is_lock))
        for o in c.options
    ]


def _rows(c: _Compiled, usable: list[bool]) -> _Rows:
    problem = c.problem
    covers: list[dict[int, list[int]]] = [defaultdict(list) for _ in problem.sessions]
    class_covers: list[dict[int, list[int]]] = [defaultdict(list) for _ in c.classes]
    for i, option in enumerate(c.options):
        if usable[i]:
            for slot in _slots(option, c.grid):
                covers[option.session][slot].append(i)
                class_covers[option.room_class][slot].append(i)
    places = [[i for i in c.by_session[s] if usable[i]] for s in range(len(problem.sessions))]
    limits: list[_Row] = []
    # A pool of rooms holds at most as many sessions at once as it has rooms.
    for cls in c.classes:
        for _slot, indices in sorted(class_covers[cls.index].items()):
            if len(indices) > len(cls.rooms):
                limits.append(_Row("capacity", cls.key, tuple(indices), len(cls.rooms)))
    # A speaker, or an organisation, is in at most one session at each slot.
    for kind, groups in (("speaker", c.speakers), ("organisation", c.organisations)):
        for key, members in groups.items():
            if len(members) < 2:
                continue
            present: dict[int, list[int]] = defaultdict(list)
            for s in members:
                for slot in covers[s]:
                    present[slot].append(s)
            for slot, running in sorted(present.items()):
                if len(running) > 1:
                    options = tuple(i for s in running for i in covers[s][slot])
                    limits.append(_Row(kind, key, options, 1))
    topics: list[tuple[str, int, tuple[int, ...]]] = []
    for topic, members in sorted(c.topics.items()):
        if len(members) < 2:
            continue
        by_slot: dict[int, list[int]] = defaultdict(list)
        running_sessions: dict[int, set[int]] = defaultdict(set)
        for s in members:
            for slot, indices in covers[s].items():
                by_slot[slot] += indices
                running_sessions[slot].add(s)
        for slot, indices in sorted(by_slot.items()):
            if len(running_sessions[slot]) > 1:
                topics.append((topic, slot, tuple(indices)))
    costs: dict[int, int] = {}
    weight = problem.weights.missed_preference
    for i, option in enumerate(c.options):
        wanted = problem.sessions[option.session].preferred_half_day
        if (
            usable[i]
            and weight
            and wanted is not None
            and _half_day(problem, _at(c.epoch, option.start)) != wanted
        ):
            costs[i] = weight
    return _Rows(usable, places, limits, topics, costs)


def _build(c: _Compiled, *, explain: bool) -> _Model:
    """The CP-SAT model; with ``explain`` each rule group is switched by an assumption literal
    and there is no objective."""
    problem = c.problem
    model = cp_model.CpModel()
    assumptions: dict[int, tuple[str, str]] = {}
    literals: list[cp_model.IntVar] = []
    switches: dict[tuple[str, str], cp_model.IntVar] = {}

    def switch(kind: str, key: str) -> cp_model.IntVar | None:
        if not explain:
            return None
        if (kind, key) not in switches:
            literal = model.new_bool_var(f"{kind}:{key}")
            assumptions[literal.index] = (kind, key)
            literals.append(literal)
            switches[kind, key] = literal
        return switches[kind, key]

    usable = _usable(c, explain=explain)
    rows = _rows(c, usable)
    x = [
        model.new_bool_var(f"x{i}") if usable[i] else model.new_constant(0)
        for i in range(len(c.options))
    ]
    for s, session in enumerate(problem.sessions):
        chosen = [x[i] for i in rows.places[s]]
        place = switch("place", session.id)
        if place is None:
            model.add_exactly_one(chosen)
        else:
            model.add_at_most_one(chosen)
            model.add_bool_or(chosen).only_enforce_if(place)
        if explain and session.locked is not None:
            lock = switch("lock", session.id)
            assert lock is not None
            for i in c.by_session[s]:
                if c.options[i].is_lock:
                    model.add(x[i] == 1).only_enforce_if(lock)
    for row in rows.limits:
        terms = [x[i] for i in row.options]
        constraint = (
            model.add_at_most_one(terms) if row.limit == 1 else model.add(sum(terms) <= row.limit)
        )
        enforce = switch(row.kind, row.key)
        if enforce is not None:
            constraint.only_enforce_if(enforce)
    if explain:
        for email in sorted(c.unavailability):
            blocked = [
                i
                for s in c.speakers.get(email, [])
                for i in c.by_session[s]
                if email in c.options[i].unavailable
            ]
            if blocked:
                enforce = switch("unavailability", email)
                assert enforce is not None
                for i in blocked:
                    model.add_implication(enforce, x[i].Not())
        return _Model(model, x, assumptions, literals)

    # Topic overlap: at each slot, every session on a topic beyond the first is penalised
    # for the slot's minutes. Linear, so the LP relaxation gives a useful bound.
    objective: list[cp_model.LinearExprT] = []
    per_minute = problem.weights.topic_overlap_minute * c.grid
    if per_minute:
        for topic, slot, options in rows.topics:
            running = len({c.options[i].session for i in options})
            excess = model.new_int_var(0, running - 1, f"excess_{topic}_{slot}")
            model.add(excess >= sum(x[i] for i in options) - 1)
            objective.append(excess * per_minute)
    for i, cost in rows.preference_costs.items():
        objective.append(x[i] * cost)
    model.minimize(sum(objective))
    return _Model(model, x, assumptions, literals)


def _solve_highs(c: _Compiled, seconds: float) -> _Outcome:
    """The same model as a MILP for HiGHS (through ``scipy.optimize.milp``)."""
    problem = c.problem
    usable = _usable(c, explain=False)
    rows = _rows(c, usable)
    column = {i: k for k, i in enumerate(i for i, ok in enumerate(usable) if ok)}
    per_minute = problem.weights.topic_overlap_minute * c.grid
    topic_rows = rows.topics if per_minute else []
    n_x, n = len(column), len(column) + len(topic_rows)
    cost = np.zeros(n)
    for i, value in rows.preference_costs.items():
        cost[column[i]] = value
    cost[n_x:] = per_minute
    row_index: list[int] = []
    col_index: list[int] = []
    data: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(columns: Sequence[int], coefficients: Sequence[float], lo: float, hi: float) -> None:
        row = len(lower)
        row_index.extend([row] * len(columns))
        col_index.extend(columns)
        data.extend(coefficients)
        lower.append(lo)
        upper.append(hi)

    for place in rows.places:
        add([column[i] for i in place], [1.0] * len(place), 1, 1)
    for limit in rows.limits:
        add([column[i] for i in limit.options], [1.0] * len(limit.options), -np.inf, limit.limit)
    for k, (_, _, covering) in enumerate(topic_rows):
        # sum(x) - excess <= 1, with excess >= 0: excess is the number of extra sessions.
        add([column[i] for i in covering] + [n_x + k], [1.0] * len(covering) + [-1.0], -np.inf, 1)
    matrix = sparse.csr_array((data, (row_index, col_index)), shape=(len(lower), n))
    result = optimize.milp(
        cost,
        integrality=np.r_[np.ones(n_x), np.zeros(n - n_x)],
        bounds=optimize.Bounds(np.zeros(n), np.r_[np.ones(n_x), np.full(n - n_x, np.inf)]),
        constraints=optimize.LinearConstraint(matrix, np.array(lower), np.array(upper)),
        # Objectives are whole numbers, so HiGHS may stop only at a gap of zero.
        options={"time_limit": max(seconds, 0.01), "mip_rel_gap": 0.0, "disp": False},
    )
    if result.status == 2:
        return _Outcome(SolveStatus.INFEASIBLE, [], None, None)
    if result.x is None:
        return _Outcome(SolveStatus.UNKNOWN, [], None, None)
    chosen_columns = {k for k in range(n_x) if result.x[k] > 0.5}
    chosen = [
        next(c.options[i] for i in rows.places[s] if column[i] in chosen_columns)
        for s in range(len(problem.sessions))
    ]
    bound = getattr(result, "mip_dual_bound", None)
    return _Outcome(
        SolveStatus.OPTIMAL if result.status == 0 else SolveStatus.FEASIBLE,
        chosen,
        round(result.fun),
        float(round(result.fun))
        if result.status == 0
        else (None if bound is None else float(bound)),
    )


def _half_day(problem: Problem, moment: dt.datetime) -> HalfDay:
    local = moment.astimezone(problem.timezone)
    return HalfDay.MORNING if local.time() < problem.midday else HalfDay.AFTERNOON


# --- Solving --------------------------------------------------------------------------------


def schedule_solve(
    problem: Problem,
    *,
    time_limit_seconds: float = 10.0,
    num_workers: int = 2,
    random_seed: int = 0,
    explain: bool = True,
    explain_time_limit_seconds: float = 10.0,
    engine: Engine = Engine.HIGHS,
) -> Solution:
    """Place every session of ``problem``, or say which rules conflict.

    ``engine`` solves the placement model (HiGHS by default: on the benchmark it proves the
    optimum several times faster than CP-SAT; see docs/scheduling.md). Explanations and room
    assignment always use CP-SAT. ``num_workers`` (CP-SAT only) defaults to 2, the cores of
    the target machine.
    """
    began = time.perf_counter()
    compiled, conflicts = _compile(problem)
    if compiled is None:
        return Solution(
            SolveStatus.INFEASIBLE, (), None, None, time.perf_counter() - began, None,
            tuple(conflicts),
        )  # fmt: skip
    outcome = _solve_compiled(compiled, engine, time_limit_seconds, num_workers, random_seed)
    placements = _assign_rooms(compiled, outcome.chosen) if outcome.chosen else None
    if outcome.chosen and placements is None:
        # Pooling rooms with locked sessions was too optimistic: some session straddles two
        # locked sessions in different rooms. Solve again with those rooms kept apart (exact).
        compiled, _ = _compile(problem, split_locked_rooms=True)
        assert compiled is not None
        remaining = time_limit_seconds - (time.perf_counter() - began)
        seconds = max(remaining, min(time_limit_seconds, 2.0))
        outcome = _solve_compiled(compiled, engine, seconds, num_workers, random_seed)
        placements = _assign_rooms(compiled, outcome.chosen) if outcome.chosen else None

    if outcome.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        assert placements is not None
        # The objective reported is the schedule's own score: in a schedule that is not proven
        # optimal, the model's overlap variables may sit above the overlap they count.
        score = schedule_score(problem, placements)
        return Solution(
            outcome.status,
            placements,
            score.objective,
            outcome.best_bound,
            time.perf_counter() - began,
            compiled.grid,
            (),
            score,
        )
    reasons: list[Conflict] = []
    if outcome.status == SolveStatus.INFEASIBLE:
        if explain:
            # Rules that conflict in the pooled model (a relaxation) conflict in the exact one
            # too, and the pooled model is much smaller: explain with whichever was solved.
            reasons = _explain(compiled, explain_time_limit_seconds)
    else:
        reasons = [
            Conflict(
                "time",
                f"No schedule was found within {time_limit_seconds:g} s, and none was proven "
                "impossible. Try again with more time, or unlock sessions.",
            )
        ]
    return Solution(
        outcome.status, (), None, None, time.perf_counter() - began, compiled.grid, tuple(reasons)
    )


@dataclasses.dataclass(frozen=True)
class _Outcome:
    status: SolveStatus
    chosen: list[_Option]  # per session, empty without a schedule
    objective: int | None
    best_bound: float | None


def _solve_compiled(
    c: _Compiled, engine: Engine, seconds: float, num_workers: int, random_seed: int
) -> _Outcome:
    if engine == Engine.HIGHS:
        return _solve_highs(c, seconds)
    built = _build(c, explain=False)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = num_workers
    solver.parameters.random_seed = random_seed
    status = solver.solve(built.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [
            next(c.options[i] for i in c.by_session[s] if solver.value(built.x[i]))
            for s in range(len(c.problem.sessions))
        ]
        return _Outcome(
            SolveStatus.OPTIMAL if status == cp_model.OPTIMAL else SolveStatus.FEASIBLE,
            chosen,
            round(solver.objective_value),
            solver.best_objective_bound,
        )
    if status == cp_model.INFEASIBLE:
        return _Outcome(SolveStatus.INFEASIBLE, [], None, None)
    if status == cp_model.MODEL_INVALID:  # a bug in _build, never the admin's data
        raise RuntimeError(f"CP-SAT rejected the model: {built.model.validate()}")
    return _Outcome(SolveStatus.UNKNOWN, [], None, None)


def _assign_rooms(c: _Compiled, chosen: list[_Option]) -> tuple[ScheduledSession, ...] | None:
    """Give each session a room of its class, or None if the pooled rooms cannot be told apart.

    Without locked sessions, greedy by start time always succeeds: a class never runs more
    sessions at once than it has rooms (interval graphs are perfect). Locked sessions fix
    their rooms, and then a small CP-SAT model with one optional interval per session and
    room and a NoOverlap per room decides.
    """
    problem = c.problem
    by_class: dict[int, list[int]] = defaultdict(list)
    for s, option in enumerate(chosen):
        by_class[option.room_class].append(s)
    room_of: dict[int, str] = {}
    for cls_index, members in by_class.items():
        cls = c.classes[cls_index]
        locked = [s for s in members if problem.sessions[s].locked is not None]
        if len(cls.rooms) == 1 or not locked:
            free_at = [-math.inf] * len(cls.rooms)
            for s in sorted(members, key=lambda s: (chosen[s].start, s)):
                k = next(k for k in range(len(cls.rooms)) if free_at[k] <= chosen[s].start)
                free_at[k] = chosen[s].end
                room_of[s] = cls.rooms[k].id
            continue
        assignment = _assign_with_locks(cls, members, chosen, problem)
        if assignment is None:
            return None
        room_of.update(assignment)
    placements = [
        ScheduledSession(
            session.id,
            room_of[s],
            _at(c.epoch, chosen[s].start),
            _at(c.epoch, chosen[s].end),
            session.locked is not None,
        )
        for s, session in enumerate(problem.sessions)
    ]
    placements.sort(key=lambda p: (p.start, p.room))
    return tuple(placements)


def _assign_with_locks(
    cls: _RoomClass, members: list[int], chosen: list[_Option], problem: Problem
) -> dict[int, str] | None:
    model = cp_model.CpModel()
    per_room: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    choices: dict[int, list[tuple[str, cp_model.IntVar]]] = defaultdict(list)
    room_of: dict[int, str] = {}
    for s in members:
        option = chosen[s]
        lock = problem.sessions[s].locked
        size = option.end - option.start
        if lock is not None:
            room_of[s] = lock.room
            per_room[lock.room].append(
                model.new_fixed_size_interval_var(option.start, size, f"lock{s}")
            )
            continue
        for room in cls.rooms:
            literal = model.new_bool_var(f"a{s}_{room.id}")
            choices[s].append((room.id, literal))
            per_room[room.id].append(
                model.new_optional_fixed_size_interval_var(
                    option.start, size, literal, f"iv{s}_{room.id}"
                )
            )
        model.add_exactly_one([literal for _, literal in choices[s]])
    for intervals in per_room.values():
        model.add_no_overlap(intervals)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 2.0
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    for s, options in choices.items():
        room_of[s] = next(room for room, literal in options if solver.value(literal))
    return room_of


# --- Explaining infeasibility ---------------------------------------------------------------

# Rules are dropped from the conflict in this order while looking for a smallest one: first
# sessions (fewer sessions make a shorter story), then rooms, then people.
_DROP_ORDER = ("place", "capacity", "lock", "unavailability", "organisation", "speaker")


def _explain(c: _Compiled, time_limit_seconds: float) -> list[Conflict]:
    """Find a small set of rules that cannot hold together and say it in sentences.

    Every rule group (a session's placement, a speaker, an organisation, a speaker's
    unavailability, a pool of rooms, a lock) is switched by an assumption literal; CP-SAT
    returns a sufficient set of them, which is then shrunk by deletion until each remaining
    rule is needed.
    """
    deadline = time.perf_counter() + time_limit_seconds
    built = _build(c, explain=True)
    ok, core = _core(built, built.literals, deadline)
    if not ok:
        return [_generic_conflict()]
    groups = [built.assumptions[literal.index] for literal in core]
    # Sessions outside the core may go unplaced in the explanation model, so they can be left
    # out altogether: shrinking the rest on the smaller model is much faster.
    involved = {key for kind, key in groups if kind in {"place", "lock"}}
    if involved:
        sub_problem = dataclasses.replace(
            c.problem, sessions=tuple(s for s in c.problem.sessions if s.id in involved)
        )
        sub, _ = _compile(sub_problem, split_locked_rooms=c.split_locked_rooms)
        if sub is not None:
            sub_built = _build(sub, explain=True)
            by_group = {group: literal.index for literal, group in _pairs(sub_built)}
            literals = {literal.index: literal for literal in sub_built.literals}
            sub_core = [literals[by_group[g]] for g in groups if g in by_group]
            if len(sub_core) == len(groups) and _core(sub_built, sub_core, deadline)[0]:
                c, built, core = sub, sub_built, sub_core
    order = {kind: n for n, kind in enumerate(_DROP_ORDER)}
    kept = sorted(core, key=lambda literal: order[built.assumptions[literal.index][0]])
    position = 0
    while position < len(kept):
        trial = kept[:position] + kept[position + 1 :]
        if _core(built, trial, deadline)[0]:
            kept = trial
        else:
            position += 1
    return _sentences(c, [built.assumptions[literal.index] for literal in kept])


def _pairs(built: _Model) -> list[tuple[cp_model.IntVar, tuple[str, str]]]:
    return [(literal, built.assumptions[literal.index]) for literal in built.literals]


def _core(
    built: _Model, assumed: list[cp_model.IntVar], deadline: float
) -> tuple[bool, list[cp_model.IntVar]]:
    """Whether the rules ``assumed`` admit no schedule, and a subset of them that suffices."""
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return False, []
    built.model.clear_assumptions()
    built.model.add_assumptions(assumed)
    solver = cp_model.CpSolver()
    # Cores are only reliable with one worker (or-tools issue #3102).
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = min(remaining, 5.0)
    if solver.solve(built.model) != cp_model.INFEASIBLE:
        return False, []
    by_index = {literal.index: literal for literal in assumed}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    if not core or len(core) == len(assumed):
        return True, list(assumed)
    # Trust a smaller core only once it is itself shown infeasible (or-tools issue #5141).
    return (True, core) if _core(built, core, deadline)[0] else (True, list(assumed))


def _generic_conflict() -> Conflict:
    return Conflict(
        "unknown",
        "No schedule satisfies every rule, and the conflicting rules could not be isolated "
        "in time. Check speakers in several sessions, unavailability and room windows.",
    )


def _sentences(c: _Compiled, groups: list[tuple[str, str]]) -> list[Conflict]:
    problem = c.problem
    tz = problem.timezone
    sessions = problem.sessions
    index = {s.id: i for i, s in enumerate(sessions)}
    # A locked session is placed by its lock, so its own "place" rule may have been dropped.
    involved = {index[key] for kind, key in groups if kind in {"place", "lock"}}
    placed = sorted(involved, key=lambda s: sessions[s].title)
    ids = tuple(sessions[s].id for s in placed)
    if len(placed) > 1:
        head = (
            f"No schedule can place all of {_quoted(sessions[s].title for s in placed)} "
            "while keeping these rules:"
        )
    elif placed:
        head = f"“{sessions[placed[0]].title}” cannot be placed while keeping these rules:"
    else:
        head = "No schedule satisfies these rules together:"
    conflicts = [Conflict("summary", head, ids)]
    for kind, key in groups:
        if kind == "speaker":
            members = [s for s in c.speakers[key] if s in involved] or c.speakers[key]
            conflicts.append(
                Conflict(
                    "speaker",
                    f"Speaker {key} is in {len(members)} of these sessions "
                    f"({_quoted(sessions[s].title for s in members)}), and cannot be in two "
                    "places at once.",
                    tuple(sessions[s].id for s in members),
                )
            )
        elif kind == "organisation":
            members = [s for s in c.organisations[key] if s in involved] or c.organisations[key]
            conflicts.append(
                Conflict(
                    "organisation",
                    f"{key} runs {len(members)} of these sessions "
                    f"({_quoted(sessions[s].title for s in members)}), and an organisation's "
                    "sessions must not overlap.",
                    tuple(sessions[s].id for s in members),
                )
            )
        elif kind == "unavailability":
            spans = sorted(c.unavailability[key])
            text = spans_text(((_at(c.epoch, a), _at(c.epoch, b)) for a, b in spans), tz)
            members = [s for s in c.speakers.get(key, []) if s in involved]
            conflicts.append(
                Conflict(
                    "unavailability",
                    f"Speaker {key} is unavailable {text}.",
                    tuple(sessions[s].id for s in members),
                )
            )
        elif kind == "capacity":
            conflicts.append(_capacity_sentence(c, _class_by_key(c, key), placed))
        elif kind == "lock":
            session = sessions[index[key]]
            assert session.locked is not None
            room = next(r for r in problem.rooms if r.id == session.locked.room)
            end = _plus(session.locked.start, session.duration_minutes)
            conflicts.append(
                Conflict(
                    "lock",
                    f"“{session.title}” is locked in {room.name} at "
                    f"{span_text(session.locked.start, end, tz)}.",
                    (session.id,),
                )
            )
    # Where the sessions may go at all: their tracks' opening hours.
    for track_id in sorted({sessions[s].track for s in placed}):
        if any(
            kind == "capacity" and _class_by_key(c, key).track == track_id for kind, key in groups
        ):
            continue
        track_sessions = tuple(sessions[s].id for s in placed if sessions[s].track == track_id)
        conflicts.append(
            Conflict(
                "windows",
                f"{c.tracks[track_id].name} is open {_opening_text(c, track_id)}.",
                track_sessions,
            )
        )
    return conflicts


def _opening_text(c: _Compiled, track_id: str) -> str:
    spans = sorted({seg for cls in c.classes if cls.track == track_id for seg in cls.segments})
    return spans_text(((_at(c.epoch, a), _at(c.epoch, b)) for a, b in spans), c.problem.timezone)


def _class_by_key(c: _Compiled, key: str) -> _RoomClass:
    return next(cls for cls in c.classes if cls.key == key)


def _capacity_sentence(c: _Compiled, cls: _RoomClass, placed: list[int]) -> Conflict:
    problem = c.problem
    track = c.tracks[cls.track].name
    names = _quoted(r.name for r in cls.rooms).replace("“", "").replace("”", "")
    opening = spans_text(
        ((_at(c.epoch, a), _at(c.epoch, b)) for a, b in cls.segments), problem.timezone
    )
    mine = [s for s in placed if problem.sessions[s].track == cls.track]
    durations = {problem.sessions[s].duration_minutes for s in mine}
    fits = ""
    if len(durations) == 1:
        d = durations.pop()
        blocks = sum((b - a) // d for a, b in cls.segments) * len(cls.rooms)
        fits = f"; at most {blocks} sessions of {duration_text(d)} fit there"
    rooms_word = "room" if len(cls.rooms) == 1 else "rooms"
    return Conflict(
        "capacity",
        f"{track} has {len(cls.rooms)} {rooms_word} here ({names}), each holding one session "
        f"at a time, open {opening}{fits}.",
        tuple(problem.sessions[s].id for s in mine),
    )


# --- Checking and scoring a schedule (also for hand-made changes in the grid view) ---------


def schedule_clashes(problem: Problem, placements: Sequence[ScheduledSession]) -> list[Conflict]:
    """Every broken hard rule in ``placements``, one sentence each."""
    tz = problem.timezone
    sessions = {s.id: s for s in problem.sessions}
    rooms = {r.id: r for r in problem.rooms}
    conflicts: list[Conflict] = []
    placed = [p for p in placements if p.session in sessions]
    seen = {p.session for p in placed}
    for session in problem.sessions:
        if session.id not in seen:
            conflicts.append(Conflict("unplaced", f"“{session.title}” has no slot.", (session.id,)))
    counts: dict[str, int] = defaultdict(int)
    for p in placed:
        counts[p.session] += 1
    for sid, count in counts.items():
        if count > 1:
            conflicts.append(
                Conflict("duplicate", f"“{sessions[sid].title}” is placed {count} times.", (sid,))
            )
    epoch = _epoch(problem)
    for p in placed:
        session = sessions[p.session]
        room = rooms.get(p.room)
        when = span_text(p.start, p.end, tz)
        if room is None:
            conflicts.append(
                Conflict("room", f"“{session.title}” is in an unknown room.", (session.id,))
            )
            continue
        if room.track != session.track:
            conflicts.append(
                Conflict(
                    "track",
                    f"“{session.title}” is in {room.name}, a room of "
                    f"{_track_name(problem, room.track)}, not of its track "
                    f"{_track_name(problem, session.track)}.",
                    (session.id,),
                )
            )
        if p.end.timestamp() - p.start.timestamp() != 60 * session.duration_minutes:
            conflicts.append(
                Conflict(
                    "duration",
                    f"“{session.title}” is given {when} but lasts "
                    f"{duration_text(session.duration_minutes)}.",
                    (session.id,),
                )
            )
        in_window = any(
            w.start.timestamp() <= p.start.timestamp() and p.end.timestamp() <= w.end.timestamp()
            for w in room.windows
        )
        if not in_window:
            conflicts.append(
                Conflict(
                    "window",
                    f"“{session.title}” at {when} is outside the opening hours of {room.name}.",
                    (session.id,),
                )
            )
        for brk in problem.breaks:
            if brk.track in (None, room.track) and _overlaps(
                _minutes(p.start, epoch),
                _minutes(p.end, epoch),
                _minutes(brk.span.start, epoch),
                _minutes(brk.span.end, epoch),
            ):
                conflicts.append(
                    Conflict(
                        "break",
                        f"“{session.title}” at {when} runs into {brk.title} "
                        f"({span_text(brk.span.start, brk.span.end, tz)}).",
                        (session.id,),
                    )
                )
        if not session.equipment <= room.equipment:
            missing = ", ".join(sorted(session.equipment - room.equipment))
            conflicts.append(
                Conflict(
                    "equipment",
                    f"“{session.title}” needs {missing}, which {room.name} lacks.",
                    (session.id,),
                )
            )
        for u in problem.unavailabilities:
            if _email(u.speaker) in {_email(e) for e in session.speakers} and _overlaps(
                p.start.timestamp(),
                p.end.timestamp(),
                u.span.start.timestamp(),
                u.span.end.timestamp(),
            ):
                conflicts.append(
                    Conflict(
                        "unavailability",
                        f"“{session.title}” at {when}: speaker {_email(u.speaker)} is "
                        f"unavailable {span_text(u.span.start, u.span.end, tz)}.",
                        (session.id,),
                    )
                )
    ordered = sorted(placed, key=lambda p: (p.start.timestamp(), p.session))
    for n, a in enumerate(ordered):
        sa = sessions[a.session]
        for b in ordered[n + 1 :]:
            if b.start.timestamp() >= a.end.timestamp():
                break
            sb = sessions[b.session]
            pair = (sa.id, sb.id)
            both = f"“{sa.title}” and “{sb.title}”"
            if a.room == b.room:
                name = rooms[a.room].name if a.room in rooms else a.room
                conflicts.append(Conflict("room", f"{both} overlap in {name}.", pair))
            shared = sorted({_email(e) for e in sa.speakers} & {_email(e) for e in sb.speakers})
            for email in shared:
                conflicts.append(
                    Conflict("speaker", f"Speaker {email} is in both {both} at once.", pair)
                )
            if sa.organisation == sb.organisation:
                conflicts.append(
                    Conflict("organisation", f"{sa.organisation} has {both} at once.", pair)
                )
    return conflicts


def schedule_score(problem: Problem, placements: Sequence[ScheduledSession]) -> Score:
    """The soft-rule penalties of ``placements``, in the objective's units."""
    sessions = {s.id: s for s in problem.sessions}
    placed = [p for p in placements if p.session in sessions]
    overlap = 0.0
    topics: dict[str, list[ScheduledSession]] = defaultdict(list)
    for p in placed:
        for topic in sessions[p.session].topics:
            topics[topic].append(p)
    for members in topics.values():
        # Sweep: minutes weighted by (sessions running on the topic - 1) where positive.
        events = sorted(
            [(p.start.timestamp(), 1) for p in members] + [(p.end.timestamp(), -1) for p in members]
        )
        running = 0
        previous = None
        for moment, delta in events:
            if previous is not None and running > 1:
                overlap += (moment - previous) / 60 * (running - 1)
            running += delta
            previous = moment
    missed = tuple(
        sorted(
            p.session
            for p in placed
            if sessions[p.session].preferred_half_day is not None
            and _half_day(problem, p.start) != sessions[p.session].preferred_half_day
        )
    )
    minutes = round(overlap)
    weights = problem.weights
    objective = minutes * weights.topic_overlap_minute + len(missed) * weights.missed_preference
    return Score(minutes, missed, objective)
