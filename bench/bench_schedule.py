"""Solve a 200-session, three-track, two-day Expo: HiGHS (the default engine) and CP-SAT.

The instance (described in docs/scheduling.md) is synthetic, generated from a fixed seed: 150
one-hour talks and 50 four-hour workshops from 60 organisations. Two days hold only 14 hours
of talks per room, so the talks track has 12 parallel rooms and each workshop track 7, all
filled to about 90 %. Run: ``.venv/bin/python bench/run.py --only bench_schedule``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import statistics
import sys
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BenchRow
from scheduling.solver import (
    Break,
    Engine,
    HalfDay,
    Placement,
    Problem,
    Room,
    Session,
    Solution,
    SolveStatus,
    TimeSpan,
    Track,
    Unavailability,
    schedule_clashes,
    schedule_solve,
)

TIME_LIMIT_SECONDS = 10.0  # the target
SOLVER_SECONDS = 9.0  # leaves time for compiling the model and assigning rooms
MAX_GAP = 0.01  # a schedule proven within 1 % of the best possible counts as solved
TZ = ZoneInfo("Europe/Vienna")
OVERBOOKED = "overbooked@university.example"
DAYS = (dt.date(2027, 5, 4), dt.date(2027, 5, 5))
TALK_ROOMS = 12
WORKSHOP_ROOMS_PER_TRACK = 7
TALKS = 150
WORKSHOPS = 50
ORGANISATIONS = 60
TOPICS = (
    "Reinforcement learning",
    "Computer vision",
    "Language models",
    "Optimisation",
    "Probabilistic methods",
    "Graph learning",
    "Robotics",
    "Fairness",
    "Theory",
    "Systems",
    "Speech",
    "Healthcare",
)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def bench_problem(seed: int = 2027) -> Problem:
    """The benchmark instance; the same seed always gives the same problem."""
    rng = random.Random(seed)
    tracks = (
        Track("talks", "Talks & demos"),
        Track("ws-a", "Workshops A"),
        Track("ws-b", "Workshops B"),
    )
    day_windows = tuple(TimeSpan(_at(d, 9), _at(d, 18)) for d in DAYS)
    rooms = [Room(f"hall-{n}", f"Hall {n:02d}", "talks", day_windows) for n in range(TALK_ROOMS)]
    for track in ("ws-a", "ws-b"):
        rooms += [
            Room(f"{track}-{n}", f"{track.upper()} room {n}", track, day_windows)
            for n in range(WORKSHOP_ROOMS_PER_TRACK)
        ]
    breaks = [Break(TimeSpan(_at(d, 12, 30), _at(d, 13, 30)), "Lunch", "talks") for d in DAYS]
    breaks += [
        Break(TimeSpan(_at(d, 13), _at(d, 14)), "Lunch", track)
        for d in DAYS
        for track in ("ws-a", "ws-b")
    ]

    # Organisations of uneven size (1–6 sessions), each with its own small pool of speakers.
    sizes = [1] * ORGANISATIONS
    while sum(sizes) < TALKS + WORKSHOPS:
        k = rng.randrange(ORGANISATIONS)
        if sizes[k] < 6:
            sizes[k] += 1
    formats = ["talk"] * TALKS + ["workshop"] * WORKSHOPS
    rng.shuffle(formats)
    academics = [f"prof{n}@university.example" for n in range(20)]
    topic_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(TOPICS))]
    sessions: list[Session] = []
    workshop_count = 0
    for org, size in enumerate(sizes):
        people = [f"person{m}@org{org}.example" for m in range(rng.randint(1, 4))]
        for _ in range(size):
            n = len(sessions)
            expo_format = formats[n]
            speakers = set(rng.sample(people, k=min(len(people), rng.randint(1, 2))))
            if rng.random() < 0.1:  # a collaborator who also speaks for other organisations
                speakers.add(rng.choice(academics))
            if expo_format == "workshop":
                track = ("ws-a", "ws-b")[workshop_count % 2]
                workshop_count += 1
            else:
                track = "talks"
            topics = set(rng.choices(TOPICS, weights=topic_weights, k=rng.randint(1, 2)))
            preference = None
            if rng.random() < 0.3:
                preference = rng.choice([HalfDay.MORNING, HalfDay.AFTERNOON])
            sessions.append(
                Session(
                    id=f"s{n}",
                    title=f"Session {n}",
                    track=track,
                    duration_minutes=60 if expo_format == "talk" else 240,
                    speakers=frozenset(speakers),
                    organisation=f"Organisation {org}",
                    topics=frozenset(topics),
                    preferred_half_day=preference,
                )
            )

    all_speakers = sorted({e for s in sessions for e in s.speakers})
    unavailable = rng.sample(all_speakers, k=len(all_speakers) // 10)
    unavailabilities = []
    for email in unavailable:
        day = rng.choice(DAYS)
        span = (
            TimeSpan(_at(day, 9), _at(day, 13))
            if rng.random() < 0.5
            else TimeSpan(_at(day, 14), _at(day, 18))
        )
        unavailabilities.append(Unavailability(email, span))

    # Five talks locked by hand, in distinct rooms, by speakers with no unavailability.
    free = [s for s in sessions if s.track == "talks" and not s.speakers & set(unavailable)]
    used_orgs: set[str] = set()
    locked = 0
    for session in free:
        if locked == 5 or session.organisation in used_orgs:
            continue
        used_orgs.add(session.organisation)
        placement = Placement(f"hall-{locked}", _at(DAYS[locked % 2], (9, 10, 11, 14, 15)[locked]))
        sessions[sessions.index(session)] = Session(**{**session.__dict__, "locked": placement})
        locked += 1

    return Problem(
        tracks=tracks,
        rooms=tuple(rooms),
        sessions=tuple(sessions),
        timezone=TZ,
        breaks=tuple(breaks),
        unavailabilities=tuple(unavailabilities),
    )


def overbooked_problem(problem: Problem) -> Problem:
    """The instance with one speaker added to five workshops: two days hold only four
    half-day blocks, so no schedule exists and the solver must say why."""
    workshops = {s.id for s in problem.sessions if s.duration_minutes == 240}
    chosen = sorted(workshops, key=lambda sid: int(sid[1:]))[:5]
    sessions = tuple(
        dataclasses.replace(s, speakers=s.speakers | {OVERBOOKED}) if s.id in chosen else s
        for s in problem.sessions
    )
    return dataclasses.replace(problem, sessions=sessions)


def _solve_rows(problem: Problem, engine: Engine, repeat: int, target: bool) -> Iterable[BenchRow]:
    solutions: list[Solution] = [
        schedule_solve(problem, time_limit_seconds=SOLVER_SECONDS, num_workers=2, engine=engine)
        for _ in range(repeat)
    ]
    seconds = statistics.median(s.wall_seconds for s in solutions)
    valid = all(s.has_schedule and not schedule_clashes(problem, s.placements) for s in solutions)
    proven = all(
        s.status == SolveStatus.OPTIMAL
        or (
            s.objective
            and s.best_bound is not None
            and s.objective - s.best_bound <= MAX_GAP * s.objective
        )
        for s in solutions
    )
    name = f"schedule ({engine.value})"
    size = (
        f"{TALKS} talks + {WORKSHOPS} workshops, 3 tracks, "
        f"{TALK_ROOMS + 2 * WORKSHOP_ROOMS_PER_TRACK} rooms, 2 days"
    )
    statuses = ", ".join(sorted({s.status.value for s in solutions}))
    yield BenchRow(
        name,
        f"solve {size}: time (median of {repeat}); status; no clash",
        f"{seconds:.2f} s; {statuses}; {'yes' if valid else 'no'}",
        f"< {TIME_LIMIT_SECONDS:g} s, optimal or proven within {MAX_GAP:.0%}" if target else "",
        (seconds < TIME_LIMIT_SECONDS and valid and proven) if target else None,
    )
    results = []
    for s in solutions:
        if s.objective is None or s.best_bound is None:
            results.append("no schedule")
            continue
        gap = (s.objective - s.best_bound) / s.objective if s.objective else 0.0
        results.append(f"{s.objective} / {s.best_bound:.0f} ({gap:.1%})")
    yield BenchRow(name, "objective / best bound (gap), each run", "; ".join(results))
    score = solutions[-1].score
    if score is not None:
        yield BenchRow(
            name,
            "same-topic parallel minutes; missed half-day preferences (last run)",
            f"{score.topic_overlap_minutes} min; {len(score.missed_preferences)} of "
            f"{sum(1 for s in problem.sessions if s.preferred_half_day)}",
        )


def rows(args: argparse.Namespace) -> Iterable[BenchRow]:
    problem = bench_problem()
    repeat = 1 if args.quick else 3
    yield from _solve_rows(problem, Engine.HIGHS, repeat, target=True)
    # CP-SAT on the same model, for the comparison in docs/scheduling.md.
    yield from _solve_rows(problem, Engine.CP_SAT, repeat, target=False)

    infeasible = overbooked_problem(problem)
    explained = [
        schedule_solve(infeasible, time_limit_seconds=SOLVER_SECONDS, num_workers=2)
        for _ in range(repeat)
    ]
    seconds = statistics.median(s.wall_seconds for s in explained)
    named = all(
        s.status == SolveStatus.INFEASIBLE
        and any(c.kind == "speaker" and OVERBOOKED in c.message for c in s.conflicts)
        and len(s.conflicts[0].sessions) == 5
        for s in explained
    )
    yield BenchRow(
        "schedule (explain)",
        f"prove infeasible + explain: one speaker in 5 workshops (median of {repeat})",
        f"{seconds:.2f} s; {'names the speaker and the 5 workshops' if named else 'unclear'}",
        f"< {TIME_LIMIT_SECONDS:g} s, names the cause",
        seconds < TIME_LIMIT_SECONDS and named,
    )
