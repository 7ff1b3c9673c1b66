"""The CP-SAT scheduler: hard rules never broken, soft rules optimised, conflicts explained.

The hard rules are checked here directly on the solver's output (not with schedule_clashes),
over many small random instances and some hand-made ones; tiny instances are also solved by
brute force to show the solver neither misses schedules nor settles for a worse one.
"""

import dataclasses
import datetime as dt
import itertools
import random
from zoneinfo import ZoneInfo

import pytest

from scheduling.solver import (
    Break,
    Engine,
    HalfDay,
    Placement,
    Problem,
    ProblemError,
    Room,
    ScheduledSession,
    Session,
    Solution,
    SolveStatus,
    TimeSpan,
    Track,
    Unavailability,
    schedule_clashes,
    schedule_score,
    schedule_solve,
    track_capacity,
)

TZ = ZoneInfo("Europe/Vienna")
DAY = dt.date(2027, 5, 4)
TRACKS = (Track("T", "Talks & demos"), Track("A", "Workshops A"), Track("B", "Workshops B"))


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def span(start: tuple[int, int] | int, end: tuple[int, int] | int) -> TimeSpan:
    a = (start, 0) if isinstance(start, int) else start
    b = (end, 0) if isinstance(end, int) else end
    return TimeSpan(at(*a), at(*b))


def room(room_id: str, track: str, *windows: TimeSpan, equipment: frozenset[str] = frozenset()):
    return Room(room_id, f"Room {room_id}", track, windows or (span(9, 18),), equipment)


def session(sid: str, track: str = "T", minutes: int | None = None, **kw) -> Session:
    defaults = {
        "title": f"Session {sid}",
        "speakers": frozenset({f"{sid}@example.com"}),
        "organisation": f"Org {sid}",
    }
    defaults.update(kw)
    duration = minutes if minutes is not None else (60 if track == "T" else 240)
    return Session(id=sid, track=track, duration_minutes=duration, **defaults)


def problem(rooms, sessions, **kw) -> Problem:
    return Problem(tracks=TRACKS, rooms=tuple(rooms), sessions=tuple(sessions), timezone=TZ, **kw)


def solve(p: Problem, **kw) -> Solution:
    kw.setdefault("time_limit_seconds", 10)
    kw.setdefault("num_workers", 1)
    return schedule_solve(p, **kw)


def by_session(solution: Solution) -> dict[str, ScheduledSession]:
    return {p.session: p for p in solution.placements}


def overlap(a: ScheduledSession, b: ScheduledSession) -> bool:
    return a.start < b.end and b.start < a.end


def assert_hard_rules_hold(p: Problem, solution: Solution) -> None:
    """Every hard rule, checked from the definitions in the issue (independent of the solver)."""
    assert solution.has_schedule
    placed = by_session(solution)
    assert sorted(placed) == sorted(s.id for s in p.sessions), "each session placed exactly once"
    assert len(solution.placements) == len(p.sessions)
    rooms = {r.id: r for r in p.rooms}
    sessions = {s.id: s for s in p.sessions}
    for sid, item in placed.items():
        s, r = sessions[sid], rooms[item.room]
        assert r.track == s.track, f"{sid} in a room of another track"
        assert item.end - item.start == dt.timedelta(minutes=s.duration_minutes)
        assert any(w.start <= item.start and item.end <= w.end for w in r.windows), "in a window"
        for b in p.breaks:
            if b.track in (None, r.track):
                assert not (item.start < b.span.end and b.span.start < item.end), "break crossed"
        for u in p.unavailabilities:
            if u.speaker.strip().lower() in {e.strip().lower() for e in s.speakers}:
                assert not (item.start < u.span.end and u.span.start < item.end), "unavailable"
        assert s.equipment <= r.equipment
        if s.locked is not None:
            assert (item.room, item.start) == (s.locked.room, s.locked.start), "lock moved"
    for a, b in itertools.combinations(solution.placements, 2):
        if not overlap(a, b):
            continue
        sa, sb = sessions[a.session], sessions[b.session]
        assert a.room != b.room, "two sessions in one room at once"
        emails_a = {e.strip().lower() for e in sa.speakers}
        emails_b = {e.strip().lower() for e in sb.speakers}
        assert not emails_a & emails_b, "a speaker in two places at once"
        assert sa.organisation != sb.organisation, "an organisation's sessions overlap"


# --- Random instances -----------------------------------------------------------------------


def random_problem(seed: int) -> Problem:
    rng = random.Random(seed)
    days = [DAY, DAY + dt.timedelta(days=1)][: rng.randint(1, 2)]
    rooms = []
    for track, count in (("T", rng.randint(1, 2)), ("A", 1), ("B", rng.randint(1, 2))):
        for n in range(count):
            windows = tuple(TimeSpan(at(9, day=d), at(18, day=d)) for d in days)
            equipment = frozenset({"projector"}) if n == 0 else frozenset()
            rooms.append(Room(f"{track}{n}", f"{track} {n}", track, windows, equipment))
    breaks = [Break(TimeSpan(at(13, day=d), at(14, day=d)), "Lunch") for d in days]
    if rng.random() < 0.5:
        breaks += [Break(TimeSpan(at(10, 30, d), at(11, day=d)), "Coffee", "T") for d in days]
    people = [f"p{n}@example.com" for n in range(rng.randint(4, 8))]
    organisations = [f"Org {n}" for n in range(rng.randint(3, 6))]
    sessions = []
    for n in range(rng.randint(3, 8)):
        track = rng.choice(["T", "T", "T", "T", "A", "B"])
        sessions.append(
            Session(
                id=f"s{n}",
                title=f"Session {n}",
                track=track,
                duration_minutes=60 if track == "T" else 240,
                speakers=frozenset(rng.sample(people, rng.randint(1, 2))),
                organisation=rng.choice(organisations),
                topics=frozenset(rng.sample(["rl", "cv", "nlp"], rng.randint(0, 2))),
                preferred_half_day=rng.choice([None, HalfDay.MORNING, HalfDay.AFTERNOON]),
                equipment=frozenset({"projector"}) if rng.random() < 0.15 else frozenset(),
            )
        )
    if rng.random() < 0.5:  # lock one talk at a random full hour in the talks room T0
        talks = [s for s in sessions if s.track == "T"]
        if talks:
            target = rng.choice(talks)
            hour = rng.choice([9, 11, 14, 15])
            locked = dataclasses.replace(
                target, locked=Placement("T0", at(hour, day=days[0])), equipment=frozenset()
            )
            sessions[sessions.index(target)] = locked
    unavailabilities = [
        Unavailability(
            rng.choice(people).upper(),  # e-mail addresses compare case-insensitively
            TimeSpan(at(h, day=d), at(h + rng.randint(1, 4), day=d)),
        )
        for d in days
        for h in [rng.randint(9, 15)]
        if rng.random() < 0.6
    ]
    return problem(rooms, sessions, breaks=tuple(breaks), unavailabilities=tuple(unavailabilities))


@pytest.mark.parametrize("engine", list(Engine))
@pytest.mark.parametrize("seed", range(60))
def test_solver_random_instances_never_break_a_hard_rule(seed, engine):
    p = random_problem(seed)
    solution = solve(p, engine=engine)
    assert solution.status != SolveStatus.UNKNOWN
    if solution.status == SolveStatus.INFEASIBLE:
        assert solution.conflicts, "an infeasible problem always comes with reasons"
        assert all(c.message for c in solution.conflicts)
        summary = solution.conflicts[0]
        if summary.kind == "summary" and summary.sessions:
            # The sessions named in the explanation really cannot all be placed.
            named = tuple(s for s in p.sessions if s.id in summary.sessions)
            alone = dataclasses.replace(p, sessions=named)
            assert solve(alone, explain=False).status == SolveStatus.INFEASIBLE
        return
    assert_hard_rules_hold(p, solution)
    assert schedule_clashes(p, solution.placements) == []
    assert solution.status == SolveStatus.OPTIMAL
    assert solution.score is not None
    assert solution.objective == solution.score.objective == solution.best_bound


def test_solver_engines_agree_on_random_instances():
    """Both engines solve the same model: same feasibility, same optimal objective."""
    for seed in range(60):
        p = random_problem(seed)
        highs = solve(p, engine=Engine.HIGHS, explain=False)
        cp_sat = solve(p, engine=Engine.CP_SAT, explain=False)
        assert (highs.status, highs.objective) == (cp_sat.status, cp_sat.objective), seed


def test_solver_random_instances_are_mostly_feasible():
    """Guards the test above against passing vacuously on infeasible instances."""
    statuses = [solve(random_problem(seed), explain=False).status for seed in range(60)]
    assert statuses.count(SolveStatus.OPTIMAL) >= 35


# --- Brute force on tiny instances ----------------------------------------------------------


def tiny_problem(seed: int) -> Problem:
    rng = random.Random(seed)
    rooms = [room("T0", "T", span(9, 14)), room("A0", "A", span(9, 14))]
    if rng.random() < 0.5:
        rooms.append(room("T1", "T", span(10, 13)))
    breaks = (Break(span(12, 13), "Lunch", "T"),) if rng.random() < 0.5 else ()
    people = ["a@x.org", "b@x.org", "c@x.org"]
    sessions = [
        session(
            f"s{n}",
            track,
            120 if track == "A" else 60,
            speakers=frozenset(rng.sample(people, rng.randint(1, 2))),
            organisation=rng.choice(["Org 1", "Org 2", "Org 3"]),
            topics=frozenset(rng.sample(["rl", "cv"], rng.randint(0, 2))),
            preferred_half_day=rng.choice([None, HalfDay.MORNING, HalfDay.AFTERNOON]),
        )
        for n, track in enumerate(rng.choice([["T", "T", "T", "A"], ["T", "T", "A", "A"]]))
    ]
    unavailabilities = ()
    if rng.random() < 0.5:
        hour = rng.randint(9, 12)
        unavailabilities = (Unavailability(rng.choice(people), span(hour, hour + 1)),)
    return problem(rooms, sessions, breaks=breaks, unavailabilities=unavailabilities)


def brute_force_best(p: Problem) -> int | None:
    """The least objective over every placement on the hour grid, or None if none is valid."""
    choices = []
    for s in p.sessions:
        options = []
        for r in p.rooms:
            if r.track != s.track:
                continue
            for w in r.windows:
                start = w.start
                while start + dt.timedelta(minutes=s.duration_minutes) <= w.end:
                    options.append(
                        ScheduledSession(
                            s.id, r.id, start, start + dt.timedelta(minutes=s.duration_minutes)
                        )
                    )
                    start += dt.timedelta(hours=1)
        choices.append(options)
    best = None
    for combination in itertools.product(*choices):
        if schedule_clashes(p, combination):
            continue
        value = schedule_score(p, combination).objective
        best = value if best is None else min(best, value)
    return best


def test_brute_force_oracle_rejects_clashing_schedules():
    """The oracle below relies on schedule_clashes; make sure it actually rejects clashes."""
    p = problem(
        [room("T0", "T", span(9, 10))],
        [session("a", speakers=frozenset({"x@y.org"})), session("b")],
    )
    assert brute_force_best(p) is None


@pytest.mark.parametrize("engine", list(Engine))
@pytest.mark.parametrize("seed", range(25))
def test_solver_matches_brute_force_on_tiny_instances(seed, engine):
    p = tiny_problem(seed)
    expected = brute_force_best(p)
    solution = solve(p, engine=engine)
    if expected is None:
        assert solution.status == SolveStatus.INFEASIBLE
        assert solution.conflicts
    else:
        assert solution.status == SolveStatus.OPTIMAL
        assert solution.objective == expected
        assert_hard_rules_hold(p, solution)


# --- Each rule on a hand-made instance ------------------------------------------------------


def test_speaker_is_never_in_two_places_even_when_preferences_pull_that_way():
    rooms = [room("T0", "T", span(9, 10), span(14, 15)), room("T1", "T", span(9, 10), span(14, 15))]
    both = {"preferred_half_day": HalfDay.MORNING}
    sessions = [
        session("a", speakers=frozenset({"Ada@Example.com"}), **both),
        session("b", speakers=frozenset({" ada@example.com"}), **both),
    ]
    solution = solve(problem(rooms, sessions))
    assert_hard_rules_hold(problem(rooms, sessions), solution)
    placed = by_session(solution)
    assert not overlap(placed["a"], placed["b"])
    assert solution.score is not None
    assert len(solution.score.missed_preferences) == 1


def test_organisation_sessions_never_overlap():
    rooms = [room("T0", "T", span(9, 11)), room("T1", "T", span(9, 11))]
    sessions = [session("a", organisation="Acme"), session("b", organisation="Acme")]
    solution = solve(problem(rooms, sessions))
    placed = by_session(solution)
    assert not overlap(placed["a"], placed["b"])


def test_workshop_is_one_block_that_never_crosses_a_break():
    rooms = [room("A0", "A", span(9, 18))]
    breaks = (Break(span(11, (11, 30)), "Coffee"),)
    sessions = [session("w", "A", preferred_half_day=HalfDay.MORNING)]
    p = problem(rooms, sessions, breaks=breaks)
    solution = solve(p)
    placed = by_session(solution)["w"]
    assert (placed.start, placed.end) == (at(11, 30), at(15, 30))
    assert solution.score is not None
    assert solution.score.missed_preferences == ()


def test_track_specific_break_applies_only_to_that_track():
    rooms = [room("T0", "T", span(12, 13)), room("A0", "A", span(12, 16))]
    breaks = (Break(span(12, 13), "Talks lunch", "T"),)
    p = problem(rooms, [session("w", "A")], breaks=breaks)
    assert by_session(solve(p))["w"].start == at(12)
    blocked = problem(rooms, [session("t", "T")], breaks=breaks)
    assert solve(blocked).status == SolveStatus.INFEASIBLE


def test_speaker_unavailability_is_respected_at_the_cost_of_a_preference():
    rooms = [room("A0", "A", span(9, 13), span(14, 18))]
    sessions = [session("w", "A", preferred_half_day=HalfDay.MORNING)]
    p = problem(rooms, sessions, unavailabilities=(Unavailability("w@example.com", span(10, 11)),))
    solution = solve(p)
    assert by_session(solution)["w"].start == at(14)
    assert solution.score is not None
    assert solution.score.missed_preferences == ("w",)


def test_sessions_on_a_shared_topic_are_not_run_in_parallel_when_avoidable():
    rooms = [room("T0", "T", span(9, 11)), room("T1", "T", span(9, 11))]
    sessions = [
        session("rl1", topics=frozenset({"rl"})),
        session("rl2", topics=frozenset({"rl"})),
        session("cv1", topics=frozenset({"cv"})),
        session("cv2", topics=frozenset({"cv"})),
    ]
    solution = solve(problem(rooms, sessions))
    placed = by_session(solution)
    assert not overlap(placed["rl1"], placed["rl2"])
    assert not overlap(placed["cv1"], placed["cv2"])
    assert solution.objective == 0


def test_unavoidable_topic_overlap_is_reported_in_minutes():
    rooms = [room("T0", "T", span(9, 10)), room("T1", "T", span(9, 10))]
    sessions = [session("a", topics=frozenset({"rl"})), session("b", topics=frozenset({"rl"}))]
    solution = solve(problem(rooms, sessions))
    assert solution.score is not None
    assert solution.score.topic_overlap_minutes == 60
    assert solution.objective == 60


def test_half_day_preferences_are_honoured_where_possible():
    rooms = [room("T0", "T", span(9, 10), span(14, 15))]
    sessions = [
        session("early", preferred_half_day=HalfDay.MORNING),
        session("late", preferred_half_day=HalfDay.AFTERNOON),
    ]
    placed = by_session(solve(problem(rooms, sessions)))
    assert placed["early"].start == at(9)
    assert placed["late"].start == at(14)


def test_locked_session_stays_where_it_was_locked():
    rooms = [room("T0", "T", span(9, 12)), room("T1", "T", span(9, 12))]
    lock = Placement("T1", at(11))
    sessions = [session("fixed", locked=lock, preferred_half_day=HalfDay.AFTERNOON)]
    sessions += [session("other")]
    solution = solve(problem(rooms, sessions))
    placed = by_session(solution)["fixed"]
    assert (placed.room, placed.start, placed.locked) == ("T1", at(11), True)


def test_session_needing_equipment_gets_a_room_that_has_it():
    rooms = [room("T0", "T"), room("T1", "T", equipment=frozenset({"robot arm"}))]
    sessions = [session("demo", equipment=frozenset({"robot arm"}))]
    assert by_session(solve(problem(rooms, sessions)))["demo"].room == "T1"


def test_pooled_rooms_with_locks_fall_back_to_the_exact_model():
    """Two identical rooms are pooled; a session straddling two locked talks in different
    rooms fits the pooled count but no single room, so the solver must not return it."""
    rooms = [room("T0", "T", span(10, 12)), room("T1", "T", span(10, 12))]
    sessions = [
        session("L1", locked=Placement("T0", at(10))),
        session("L2", locked=Placement("T1", at(11)), topics=frozenset({"rl"})),
        # 10:30 overlaps L2 for 30 min, 11:00 for 60 min; but at 10:30 no room is free
        # for a whole hour, so the best real schedule is 11:00 in T0.
        session("F", topics=frozenset({"rl"})),
    ]
    p = problem(
        rooms, sessions, unavailabilities=(Unavailability("F@example.com", span(10, (10, 30))),)
    )
    solution = solve(p)
    assert_hard_rules_hold(p, solution)
    assert solution.status == SolveStatus.OPTIMAL
    assert (by_session(solution)["F"].room, by_session(solution)["F"].start) == ("T0", at(11))
    assert solution.objective == 60


def test_daylight_saving_change_keeps_real_durations():
    night = dt.date(2027, 3, 28)  # Vienna: 02:00 becomes 03:00
    rooms = [Room("A0", "A0", "A", (TimeSpan(at(0, day=night), at(6, day=night)),))]
    solution = solve(problem(rooms, [session("w", "A")]))
    placed = by_session(solution)["w"]
    # Datetimes sharing a tzinfo subtract as wall clocks in Python: compare timestamps.
    assert placed.end.timestamp() - placed.start.timestamp() == 4 * 3600
    assert placed.end.timestamp() <= at(6, day=night).timestamp()


# --- Pre-checks and explanations ------------------------------------------------------------


def messages(solution: Solution) -> str:
    return "\n".join(c.message for c in solution.conflicts)


def kinds(solution: Solution) -> set[str]:
    return {c.kind for c in solution.conflicts}


def test_workshop_longer_than_any_window_is_reported_before_solving():
    rooms = [room("A0", "A", span(9, 12), span(13, 16))]
    solution = solve(problem(rooms, [session("w", "A", title="Deep RL hands-on")]))
    assert solution.status == SolveStatus.INFEASIBLE
    assert "“Deep RL hands-on” lasts 4 h" in messages(solution)
    assert "longest stretch without a break in Workshops A is 3 h" in messages(solution)


def test_more_workshops_than_blocks_is_reported_with_the_count():
    rooms = [room("A0", "A", span(9, 13), span(14, 18))]
    sessions = [session(f"w{n}", "A") for n in range(3)]
    solution = solve(problem(rooms, sessions))
    assert solution.status == SolveStatus.INFEASIBLE
    assert "Workshops A has 3 sessions of 4 h but its rooms hold only 2" in messages(solution)


def test_track_without_rooms_is_reported():
    solution = solve(problem([room("T0", "T")], [session("w", "B")]))
    assert "Workshops B, which has no room with time windows" in messages(solution)


def test_missing_equipment_is_reported():
    p = problem([room("T0", "T")], [session("d", equipment=frozenset({"GPU rack"}))])
    assert "needs GPU rack, which no room of Talks & demos has" in messages(solve(p))


def test_speaker_unavailable_whenever_the_track_is_open_is_reported():
    rooms = [room("A0", "A", span(9, 13), span(14, 18))]
    p = problem(
        rooms,
        [session("w", "A")],
        unavailabilities=(Unavailability("w@example.com", span(12, 15)),),
    )
    assert "w@example.com is unavailable at every time Workshops A is open" in messages(solve(p))


def test_speaker_in_two_workshops_with_one_free_afternoon_is_explained():
    rooms = [room("A0", "A", span(9, 13), span(14, 18)), room("B0", "B", span(9, 13), span(14, 18))]
    ada = frozenset({"ada@example.com"})
    sessions = [
        session("w1", "A", title="Robot learning", speakers=ada),
        session("w2", "B", title="Sim-to-real", speakers=ada),
        session("w3", "A", title="Unrelated workshop"),
    ]
    p = problem(rooms, sessions, unavailabilities=(Unavailability("ada@example.com", span(9, 13)),))
    solution = solve(p)
    assert solution.status == SolveStatus.INFEASIBLE
    summary = solution.conflicts[0]
    assert summary.kind == "summary"
    assert set(summary.sessions) == {"w1", "w2"}
    text = messages(solution)
    assert "Speaker ada@example.com is in 2 of these sessions" in text
    assert "“Robot learning” and “Sim-to-real”" in text
    assert "Speaker ada@example.com is unavailable Tue 4 May 09:00–13:00" in text
    assert "Workshops A is open Tue 4 May 09:00–13:00 and 14:00–18:00" in text
    assert "Unrelated workshop" not in text
    assert kinds(solution) == {"summary", "speaker", "unavailability", "windows"}


def test_organisation_with_more_workshops_than_half_days_is_explained():
    rooms = [room("A0", "A", span(9, 13), span(14, 18)), room("B0", "B", span(9, 13), span(14, 18))]
    sessions = [
        session("w1", "A", organisation="Acme"),
        session("w2", "A", organisation="Acme"),
        session("w3", "B", organisation="Acme"),
    ]
    solution = solve(problem(rooms, sessions))
    assert solution.status == SolveStatus.INFEASIBLE
    assert "Acme runs 3 of these sessions" in messages(solution)
    assert "an organisation's sessions must not overlap" in messages(solution)
    assert "organisation" in kinds(solution)


def test_two_locked_sessions_of_one_speaker_at_the_same_time_are_explained():
    rooms = [room("T0", "T"), room("T1", "T")]
    bob = frozenset({"bob@example.com"})
    sessions = [
        session("a", title="First", speakers=bob, locked=Placement("T0", at(10))),
        session("b", title="Second", speakers=bob, locked=Placement("T1", at(10))),
    ]
    solution = solve(problem(rooms, sessions))
    assert solution.status == SolveStatus.INFEASIBLE
    text = messages(solution)
    assert "“First” is locked in Room T0 at Tue 4 May 10:00–11:00" in text
    assert "“Second” is locked in Room T1 at Tue 4 May 10:00–11:00" in text
    assert "Speaker bob@example.com is in 2 of these sessions" in text


def test_lock_across_a_break_is_reported_before_solving():
    rooms = [room("T0", "T")]
    breaks = (Break(span(13, 14), "Lunch"),)
    p = problem(rooms, [session("a", locked=Placement("T0", at(12, 30)))], breaks=breaks)
    solution = solve(p)
    assert "locked at Tue 4 May 12:30–13:30 in Room T0, outside the room's time windows" in (
        messages(solution)
    )


def test_full_room_is_named_in_the_explanation():
    rooms = [room("T0", "T", span(9, 11))]
    sessions = [session("a"), session("b")]
    away = tuple(Unavailability(f"{sid}@example.com", span(9, 10)) for sid in "ab")
    solution = solve(problem(rooms, sessions, unavailabilities=away))
    assert solution.status == SolveStatus.INFEASIBLE
    assert kinds(solution) == {"summary", "capacity", "unavailability"}
    assert (
        "Talks & demos has 1 room here (Room T0), each holding one session at a time, "
        "open Tue 4 May 09:00–11:00; at most 2 sessions of 1 h fit there."
    ) in messages(solution)


# --- Checking hand-made schedules -----------------------------------------------------------


def test_clashes_name_every_broken_rule_of_a_hand_made_schedule():
    rooms = [room("T0", "T", span(9, 18)), room("A0", "A", span(9, 18))]
    breaks = (Break(span(13, 14), "Lunch"),)
    ada = frozenset({"ada@example.com"})
    sessions = [
        session("a", title="Alpha", speakers=ada, organisation="Acme"),
        session("b", title="Beta", speakers=ada, organisation="Acme"),
        session("w", "A", title="Workshop"),
    ]
    p = problem(
        rooms,
        sessions,
        breaks=breaks,
        unavailabilities=(Unavailability("ada@example.com", span(9, 10)),),
    )
    placements = [
        ScheduledSession("a", "T0", at(9), at(10)),
        ScheduledSession("b", "T0", at(9, 30), at(10, 30)),
        ScheduledSession("w", "A0", at(12), at(16)),
    ]
    found = {c.kind: c.message for c in schedule_clashes(p, placements)}
    assert found["room"] == "“Alpha” and “Beta” overlap in Room T0."
    assert found["speaker"] == "Speaker ada@example.com is in both “Alpha” and “Beta” at once."
    assert found["organisation"] == "Acme has “Alpha” and “Beta” at once."
    assert "runs into Lunch" in found["break"]
    assert "speaker ada@example.com is unavailable" in found["unavailability"]
    assert set(found) == {"room", "speaker", "organisation", "break", "unavailability"}


def test_score_counts_extra_parallel_sessions_per_topic_minute():
    rooms = [room("T0", "T"), room("T1", "T"), room("T2", "T")]
    rl = frozenset({"rl"})
    sessions = [session("a", topics=rl), session("b", topics=rl), session("c", topics=rl)]
    p = problem(rooms, sessions)
    placements = [
        ScheduledSession("a", "T0", at(9), at(10)),
        ScheduledSession("b", "T1", at(9, 30), at(10, 30)),
        ScheduledSession("c", "T2", at(9, 45), at(10, 45)),
    ]
    # 9:30-9:45 two running (15), 9:45-10:00 three (2 x 15), 10:00-10:30 two (30), then one.
    assert schedule_score(p, placements).topic_overlap_minutes == 15 + 30 + 30


def test_track_capacity_counts_blocks_between_breaks():
    rooms = [room("A0", "A", span(9, 18)), room("A1", "A", span(9, 13))]
    p = problem(rooms, [], breaks=(Break(span(13, 14), "Lunch"),))
    assert track_capacity(p, "A", 240) == 3
    assert track_capacity(p, "A", 60) == 12


def test_times_without_a_time_zone_are_rejected():
    with pytest.raises(ProblemError, match="time zone"):
        TimeSpan(dt.datetime(2027, 5, 4, 9), dt.datetime(2027, 5, 4, 10))


def test_session_in_unknown_track_is_rejected():
    with pytest.raises(ProblemError, match="unknown track"):
        solve(problem([room("T0", "T")], [session("x", "nope")]))
