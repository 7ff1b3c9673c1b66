"""Fixtures for the scheduling pages' tests: a conference with the default three tracks, one
room each open 09:00–18:00 with lunch 13:00–14:00, and one user of every role."""

import datetime as dt

import pytest

from expo.conferences.services import conference_create_default_tracks
from expo.proposals.models import ProposalState
from scheduling.models import Room, ScheduleBreak, TrackWindow
from tests.factories import (
    AdminFactory,
    ChairFactory,
    ConferenceFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
)


def at(conference, hour: int, minute: int = 0, day: int = 0) -> dt.datetime:
    """A wall-clock time on the conference's first day (plus ``day``), in its time zone."""
    date = conference.starts_on + dt.timedelta(days=day)
    return dt.datetime.combine(date, dt.time(hour, minute), conference.tzinfo)


@pytest.fixture
def conference(db):
    return ConferenceFactory(topic_names=["Reinforcement learning", "Vision"])


@pytest.fixture
def venue(conference):
    talks, ws_a, ws_b = conference_create_default_tracks(conference=conference)
    rooms = {}
    for position, (track, name) in enumerate(
        ((talks, "Hall 1"), (ws_a, "Room A"), (ws_b, "Room B"))
    ):
        room = Room.objects.create(
            conference=conference, name=name, position=position, equipment=["projector"]
        )
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


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Acme Research")


@pytest.fixture
def users(conference, organisation):
    """One user per role: admin, cochair of the conference, a member of the proposals'
    organisation, and a member of another organisation."""
    sponsor = MembershipFactory(organisation=organisation).user
    other = MembershipFactory(organisation=OrganisationFactory(name="Other Labs")).user
    return {
        "admin": AdminFactory(),
        "cochair": ChairFactory(conference=conference).user,
        "sponsor": sponsor,
        "other_sponsor": other,
    }


def make_accepted(conference, track, **kw):
    kw.setdefault("format", track.format)
    return ProposalFactory(conference=conference, state=ProposalState.ACCEPTED, track=track, **kw)
