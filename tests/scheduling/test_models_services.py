"""Scheduling in the database: models' rules, the solver problem read from rows, solving into
draft versions, publishing, the public version, track loads and exports of a stored version."""

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from expo.conferences.services import conference_create_default_tracks
from expo.proposals.models import ProposalState
from scheduling import exports, selectors, services
from scheduling.models import (
    HalfDay,
    Room,
    ScheduleBreak,
    ScheduledSession,
    ScheduleState,
    ScheduleVersion,
    SessionPreference,
    SolverStatus,
    SpeakerUnavailability,
    TrackWindow,
)
from scheduling.solver import schedule_clashes
from tests.factories import AdminFactory, ConferenceFactory, OrganisationFactory, ProposalFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2] / "data" / "frab-schedule"


@pytest.fixture
def conference():
    return ConferenceFactory(topic_names=["Reinforcement learning", "Vision"])


@pytest.fixture
def admin_user():
    return AdminFactory()


def at(conference, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(conference.starts_on, dt.time(hour, minute), conference.tzinfo)


@pytest.fixture
def venue(conference):
    """The default three tracks, one room each, open 09:00–18:00 with lunch 13:00–14:00."""
    talks, ws_a, ws_b = conference_create_default_tracks(conference=conference)
    rooms = {}
    for position, (track, name) in enumerate(
        ((talks, "Hall 1"), (ws_a, "Room A"), (ws_b, "Room B"))
    ):
        room = Room.objects.create(conference=conference, name=name, position=position)
        TrackWindow.objects.create(
            track=track, room=room, starts_at=at(conference, 9), ends_at=at(conference, 18)
        )
        rooms[track.pk] = room
    ScheduleBreak.objects.create(
        conference=conference,
        title="Lunch",
        starts_at=at(conference, 13),
        ends_at=at(conference, 14),
    )
    return {"talks": talks, "ws_a": ws_a, "ws_b": ws_b, "rooms": rooms}


def accepted(conference, track, **kw):
    kw.setdefault("format", track.format)
    return ProposalFactory(conference=conference, state=ProposalState.ACCEPTED, track=track, **kw)


# --- Models ---------------------------------------------------------------------------------


def test_window_must_end_after_it_starts(conference, venue):
    room = venue["rooms"][venue["talks"].pk]
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackWindow.objects.create(
            track=venue["talks"], room=room, starts_at=at(conference, 12), ends_at=at(conference, 9)
        )


def test_room_cannot_serve_two_tracks_at_once(conference, venue):
    room = venue["rooms"][venue["talks"].pk]
    window = TrackWindow(
        track=venue["ws_a"], room=room, starts_at=at(conference, 10), ends_at=at(conference, 11)
    )
    with pytest.raises(ValidationError, match="already given to Talks & demos"):
        window.clean()


def test_unavailability_must_name_a_speaker_of_the_proposal(conference, venue):
    proposal = accepted(conference, venue["talks"])
    entry = SpeakerUnavailability(
        proposal=proposal,
        email="stranger@example.com",
        starts_at=at(conference, 9),
        ends_at=at(conference, 10),
    )
    with pytest.raises(ValidationError):
        entry.clean()
    entry.email = proposal.speakers.first().email.upper()
    entry.clean()


def test_version_number_is_unique_per_conference(conference, admin_user):
    ScheduleVersion.objects.create(conference=conference, number=1, created_by=admin_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleVersion.objects.create(conference=conference, number=1, created_by=admin_user)


def test_published_version_needs_a_publication_time(conference):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleVersion.objects.create(
            conference=conference, number=1, state=ScheduleState.PUBLISHED
        )


# --- Reading the problem --------------------------------------------------------------------


def test_solver_problem_reads_sessions_rooms_and_wishes(conference, venue):
    vision = conference.topics.get(name="Vision")
    proposal = accepted(conference, venue["ws_a"], topics=[vision], speakers=2)
    SessionPreference.objects.create(
        proposal=proposal, half_day=HalfDay.AFTERNOON, equipment=["projector"]
    )
    speaker = proposal.speakers.first()
    SpeakerUnavailability.objects.create(
        proposal=proposal,
        email=speaker.email,
        starts_at=at(conference, 9),
        ends_at=at(conference, 11),
    )
    ProposalFactory(conference=conference, state=ProposalState.REJECTED, track=venue["talks"])
    problem = selectors.solver_problem(conference=conference)
    (session,) = problem.sessions
    assert session.id == str(proposal.pk)
    assert session.duration_minutes == 240
    assert session.topics == frozenset({"Vision"})
    assert session.preferred_half_day == "afternoon"
    assert session.equipment == frozenset({"projector"})
    assert session.speakers == frozenset(
        e.lower() for e in proposal.speakers.values_list("email", flat=True)
    )
    assert [u.speaker for u in problem.unavailabilities] == [speaker.email]
    assert {r.name for r in problem.rooms} == {"Hall 1", "Room A", "Room B"}
    assert [b.title for b in problem.breaks] == ["Lunch"]
    assert str(problem.timezone) == "Europe/Vienna"


@pytest.mark.parametrize("count", [1, 8])
def test_solver_problem_query_count_does_not_grow_with_proposals(
    conference, venue, django_assert_num_queries, count
):
    for _ in range(count):
        accepted(conference, venue["talks"], speakers=2)
    # tracks, windows+rooms, breaks, proposals, speakers, topics, preferences, unavailability
    with django_assert_num_queries(8):
        problem = selectors.solver_problem(conference=conference)
    assert len(problem.sessions) == count


def test_track_loads_compare_accepted_with_available_slots(conference, venue):
    for _ in range(3):
        accepted(conference, venue["talks"])
    accepted(conference, venue["ws_a"])
    loads = {
        load.track.name: (load.accepted, load.available)
        for load in selectors.track_loads(conference=conference)
    }
    assert loads == {"Talks & demos": (3, 8), "Workshops A": (1, 2), "Workshops B": (0, 2)}


def test_track_suggestions_follow_topics_and_capacity(conference, venue):
    vision = conference.topics.get(name="Vision")
    rl = conference.topics.get(name="Reinforcement learning")
    talk = accepted(conference, venue["talks"])
    workshops = [
        ProposalFactory(
            conference=conference,
            state=ProposalState.ACCEPTED,
            format="workshop",
            topics=[topic],
            title=title,
        )
        for topic, title in (
            (vision, "Camera depth"),
            (vision, "Camera calibration"),
            (rl, "Policy gradients"),
            (rl, "Offline policy evaluation"),
        )
    ]
    fixed = {workshops[0].pk: venue["ws_b"].pk}
    suggestions = {
        int(s.proposal): s for s in selectors.track_suggestions(conference=conference, fixed=fixed)
    }
    assert suggestions[talk.pk].track == str(venue["talks"].pk)
    assert suggestions[workshops[0].pk].reason == "Chosen by a chair."
    assert suggestions[workshops[1].pk].track == str(venue["ws_b"].pk)
    assert {suggestions[w.pk].track for w in workshops[2:]} == {str(venue["ws_a"].pk)}


# --- Solving and publishing -----------------------------------------------------------------


def test_solve_creates_a_draft_that_places_every_accepted_proposal(conference, venue, admin_user):
    talks = [accepted(conference, venue["talks"]) for _ in range(4)]
    workshops = [accepted(conference, venue["ws_a"]), accepted(conference, venue["ws_b"])]
    version = services.schedule_version_solve(conference=conference, by=admin_user)
    assert (version.number, version.state) == (1, ScheduleState.DRAFT)
    assert version.solver_status == SolverStatus.OPTIMAL
    assert version.conflicts == []
    sessions = {s.proposal_id: s for s in version.sessions.all()}
    assert set(sessions) == {p.pk for p in talks + workshops}
    for proposal in talks + workshops:
        session = sessions[proposal.pk]
        assert session.track_id == proposal.track_id
        assert session.room_id == venue["rooms"][proposal.track_id].pk
        assert session.ends_at - session.starts_at == dt.timedelta(
            minutes=proposal.duration_minutes
        )
    problem = selectors.solver_problem(conference=conference)
    assert schedule_clashes(problem, selectors.version_placements(version=version)) == []


def test_solve_keeps_sessions_locked_in_the_version_it_is_based_on(conference, venue, admin_user):
    proposal = accepted(conference, venue["talks"])
    first = services.schedule_version_solve(conference=conference, by=admin_user)
    session = first.sessions.get()
    session.starts_at, session.ends_at, session.locked = (
        at(conference, 16),
        at(conference, 17),
        True,
    )
    session.save()
    second = services.schedule_version_solve(conference=conference, by=admin_user, based_on=first)
    moved = second.sessions.get(proposal=proposal)
    assert (moved.starts_at, moved.locked, second.number, second.based_on) == (
        at(conference, 16),
        True,
        2,
        first,
    )


def test_unsolvable_problem_gives_a_version_with_the_reasons(conference, venue, admin_user):
    organisation = OrganisationFactory(name="Acme")
    for track in (venue["ws_a"], venue["ws_a"], venue["ws_b"]):
        accepted(conference, track, organisation=organisation)
    version = services.schedule_version_solve(conference=conference, by=admin_user)
    assert version.solver_status == SolverStatus.INFEASIBLE
    assert not version.sessions.exists()
    messages = " ".join(c["message"] for c in version.conflicts)
    assert "Acme runs 3 of these sessions" in messages


def test_accepted_proposal_without_track_stops_the_solve(conference, venue, admin_user):
    ProposalFactory(conference=conference, state=ProposalState.ACCEPTED, title="Lost talk")
    with pytest.raises(ValidationError, match=r"“Lost talk”\. Sort them into tracks first"):
        services.schedule_version_solve(conference=conference, by=admin_user)
    assert not ScheduleVersion.objects.exists()


def test_publish_makes_the_draft_the_public_version(conference, venue, admin_user):
    accepted(conference, venue["talks"])
    first = services.schedule_version_solve(conference=conference, by=admin_user)
    draft = services.schedule_version_solve(conference=conference, by=admin_user)
    assert selectors.schedule_version_public(conference=conference) is None
    services.schedule_version_publish(version=first, by=admin_user)
    assert selectors.schedule_version_public(conference=conference) == first
    first.refresh_from_db()
    assert (first.state, first.published_by) == (ScheduleState.PUBLISHED, admin_user)
    assert first.published_at is not None
    assert draft.state == ScheduleState.DRAFT
    with pytest.raises(ValidationError, match="already public"):
        services.schedule_version_publish(version=first, by=admin_user)


def test_version_with_a_clash_is_not_published(conference, venue, admin_user):
    a = accepted(conference, venue["talks"])
    b = accepted(conference, venue["talks"])
    version = services.schedule_version_solve(conference=conference, by=admin_user)
    first = version.sessions.get(proposal=a)
    version.sessions.filter(proposal=b).update(starts_at=first.starts_at, ends_at=first.ends_at)
    with pytest.raises(ValidationError, match="overlap in Hall 1"):
        services.schedule_version_publish(version=version, by=admin_user)
    version.refresh_from_db()
    assert version.state == ScheduleState.DRAFT


def test_version_missing_an_accepted_proposal_is_not_published(conference, venue, admin_user):
    accepted(conference, venue["talks"])
    version = services.schedule_version_solve(conference=conference, by=admin_user)
    late = accepted(conference, venue["talks"], title="Accepted later")
    with pytest.raises(ValidationError, match="“Accepted later” has no slot"):
        services.schedule_version_publish(version=version, by=admin_user)
    assert late.pk not in version.sessions.values_list("proposal_id", flat=True)


def test_version_with_a_withdrawn_proposal_is_not_published(conference, venue, admin_user):
    proposal = accepted(conference, venue["talks"], title="Changed our minds")
    version = services.schedule_version_solve(conference=conference, by=admin_user)
    proposal.state = ProposalState.WITHDRAWN
    proposal.save()
    with pytest.raises(ValidationError, match="“Changed our minds” is no longer accepted"):
        services.schedule_version_publish(version=version, by=admin_user)


def test_deleting_a_scheduled_room_is_refused(conference, venue, admin_user):
    accepted(conference, venue["talks"])
    version = services.schedule_version_solve(conference=conference, by=admin_user)
    room = ScheduledSession.objects.get(version=version).room
    with pytest.raises(ProtectedError):
        room.delete()


# --- Exports of a stored version ------------------------------------------------------------


def test_published_version_exports_valid_frab_xml_and_json(conference, venue, admin_user):
    for track in (venue["talks"], venue["talks"], venue["ws_a"]):
        accepted(conference, track, speakers=2)
    version = services.schedule_version_solve(conference=conference, by=admin_user)
    services.schedule_version_publish(version=version, by=admin_user)
    data = selectors.schedule_export(
        version=selectors.schedule_version_public(conference=conference),
        site_url="https://expo.example.org/",
        schedule_url=f"https://expo.example.org/{conference.slug}/schedule/",
        session_url=lambda p: f"https://expo.example.org/{conference.slug}/talk/{p.pk}/",
    )
    assert len(data.events) == 3
    xmlschema.XMLSchema(DATA / "schedule.xml.xsd").validate(exports.schedule_xml(data).decode())
    schema = json.loads((DATA / "schema.json").read_text())
    jsonschema.validate(json.loads(json.dumps(exports.schedule_json(data))), schema)
    assert "TZID=Europe/Vienna" in exports.schedule_ics(data).decode()
