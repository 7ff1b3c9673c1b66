"""The sponsor's availability page: speakers' unavailability and the session's timing and
equipment wishes, checked against the conference's dates and the proposal's speakers."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling import selectors
from scheduling.models import HalfDay, Room, SessionPreference, SpeakerUnavailability
from tests.scheduling.conftest import make_accepted

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(conference, venue, organisation):
    Room.objects.filter(conference=conference).update(equipment=["projector", "whiteboard"])
    return make_accepted(conference, venue["talks"], organisation=organisation, speakers=2)


def local(conference, day: int, hour: int) -> str:
    """A datetime-local value on the conference's day ``day`` (0 = first)."""
    date = conference.starts_on + dt.timedelta(days=day)
    return f"{date:%Y-%m-%d}T{hour:02d}:00"


def post(client, proposal, rows, **wishes):
    data = {
        "half_day": wishes.get("half_day", ""),
        "away-TOTAL_FORMS": str(len(rows)),
        "away-INITIAL_FORMS": "0",
        "away-MIN_NUM_FORMS": "0",
        "away-MAX_NUM_FORMS": "20",
    }
    if "equipment" in wishes:
        data["equipment"] = wishes["equipment"]
    for n, row in enumerate(rows):
        data.update({f"away-{n}-{key}": value for key, value in row.items()})
    return client.post(reverse("scheduling:availability", args=[proposal.pk]), data)


def test_sponsor_saves_wishes_and_unavailability_in_the_venues_time(
    client, conference, users, proposal
):
    client.force_login(users["sponsor"])
    speaker = proposal.speakers.first()
    response = post(
        client,
        proposal,
        [
            {
                "email": speaker.email,
                "starts_at": local(conference, 0, 9),
                "ends_at": local(conference, 0, 13),
                "note": "Flight",
            }
        ],
        half_day="afternoon",
        equipment=["whiteboard"],
    )
    assert response.status_code == 302
    preference = SessionPreference.objects.get(proposal=proposal)
    assert (preference.half_day, preference.equipment) == (HalfDay.AFTERNOON, ["whiteboard"])
    away = SpeakerUnavailability.objects.get(proposal=proposal)
    assert away.starts_at == dt.datetime.combine(
        conference.starts_on, dt.time(9), conference.tzinfo
    )
    assert away.email == speaker.email.lower()
    # The solver sees both.
    problem = selectors.solver_problem(conference=conference)
    session = next(s for s in problem.sessions if s.id == str(proposal.pk))
    assert session.preferred_half_day == "afternoon"
    assert session.equipment == {"whiteboard"}
    assert [u.speaker for u in problem.unavailabilities] == [speaker.email.lower()]
    page = client.get(reverse("scheduling:availability", args=[proposal.pk])).content.decode()
    assert f'value="{local(conference, 0, 9)}"' in page  # shown again in the venue's time


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"starts_at": (0, 14), "ends_at": (0, 10)}, "The end must come after the start."),
        ({"starts_at": (-3, 9), "ends_at": (-3, 12)}, "Give a time during the conference"),
        ({"starts_at": (4, 9), "ends_at": (6, 12)}, "Give a time during the conference"),
        ({"email": "stranger@example.org"}, "Select a valid choice"),
        ({"starts_at": "tomorrow"}, "Enter a valid date/time"),
    ],
)
def test_bad_unavailability_is_refused_and_nothing_is_saved(
    client, conference, users, proposal, row, message
):
    client.force_login(users["sponsor"])
    values = {
        "email": proposal.speakers.first().email,
        "starts_at": (0, 9),
        "ends_at": (0, 12),
        "note": "",
    }
    values.update(row)
    for key in ("starts_at", "ends_at"):
        if isinstance(values[key], tuple):
            values[key] = local(conference, *values[key])
    response = post(client, proposal, [values], half_day="morning")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SpeakerUnavailability.objects.exists()
    assert not SessionPreference.objects.exists()


def test_unknown_equipment_and_half_day_are_refused(client, users, proposal):
    client.force_login(users["sponsor"])
    response = post(client, proposal, [], half_day="evening", equipment=["jacuzzi"])
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Select a valid choice") == 2
    assert not SessionPreference.objects.exists()


def test_rows_marked_for_deletion_are_removed(client, conference, users, proposal):
    client.force_login(users["sponsor"])
    speaker = proposal.speakers.first()
    row = {
        "email": speaker.email,
        "starts_at": local(conference, 1, 9),
        "ends_at": local(conference, 1, 10),
    }
    post(client, proposal, [row])
    assert SpeakerUnavailability.objects.count() == 1
    post(client, proposal, [{**row, "DELETE": "on"}])
    assert not SpeakerUnavailability.objects.exists()
