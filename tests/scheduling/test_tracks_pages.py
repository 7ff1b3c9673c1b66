"""The tracks page: automatic sorting stores each proposal's track with its reason, a chair's
override needs a reason and survives sorting again, and going back to automatic re-sorts."""

import pytest
from django.urls import reverse

from expo.conferences.models import ExpoFormat
from scheduling.models import TrackAssignment
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(conference, venue):
    talk = ProposalFactory(conference=conference, state="accepted", format=ExpoFormat.TALK)
    workshops = [
        ProposalFactory(conference=conference, state="accepted", format=ExpoFormat.WORKSHOP)
        for _ in range(4)
    ]
    return {"talk": talk, "workshops": workshops}


def choose(client, conference, proposal, track, reason):
    return client.post(
        reverse("scheduling:track-choose", args=[conference.slug, proposal.pk]),
        {f"p{proposal.pk}-track": track.pk, f"p{proposal.pk}-reason": reason},
        follow=True,
    )


def test_sort_gives_every_proposal_a_track_and_shows_why(
    client, conference, venue, users, accepted
):
    client.force_login(users["admin"])
    client.post(reverse("scheduling:tracks", args=[conference.slug]))
    talk = accepted["talk"]
    talk.refresh_from_db()
    assert talk.track == venue["talks"]
    assignments = TrackAssignment.objects.all()
    assert assignments.count() == 5
    assert all(a.automatic for a in assignments)
    loads = {a.track_id for a in assignments if a.proposal_id != talk.pk}
    assert loads == {venue["ws_a"].pk, venue["ws_b"].pk}
    client.force_login(users["cochair"])
    page = client.get(reverse("scheduling:tracks", args=[conference.slug])).content.decode()
    assert "All talks and demos go to Talks &amp; demos" in page
    assert "Sort automatically" not in page  # cochairs read only


def test_override_needs_a_reason_and_survives_sorting_again(
    client, conference, venue, users, accepted
):
    client.force_login(users["admin"])
    client.post(reverse("scheduling:tracks", args=[conference.slug]))
    workshop = accepted["workshops"][0]
    workshop.refresh_from_db()
    other = venue["ws_b"] if workshop.track == venue["ws_a"] else venue["ws_a"]
    refused = choose(client, conference, workshop, other, "")
    assert "was not moved" in refused.content.decode()
    workshop.refresh_from_db()
    assert workshop.track != other
    choose(client, conference, workshop, other, "Same speakers as the morning workshop.")
    client.post(reverse("scheduling:tracks", args=[conference.slug]))
    workshop.refresh_from_db()
    assignment = TrackAssignment.objects.get(proposal=workshop)
    assert (workshop.track, assignment.automatic, assignment.chosen_by) == (
        other,
        False,
        users["admin"],
    )
    assert assignment.suggested_track is not None  # the sorter's earlier suggestion is kept
    page = client.get(reverse("scheduling:tracks", args=[conference.slug])).content.decode()
    assert "Same speakers as the morning workshop." in page
    assert "The sorter suggested" in page
    client.post(
        reverse("scheduling:track-choose", args=[conference.slug, workshop.pk]), {"release": "1"}
    )
    assert TrackAssignment.objects.get(proposal=workshop).automatic


def test_a_workshop_cannot_go_to_the_talk_track(client, conference, venue, users, accepted):
    client.force_login(users["admin"])
    workshop = accepted["workshops"][0]
    response = choose(client, conference, workshop, venue["talks"], "Short on rooms.")
    assert "was not moved" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.track is None
    assert not TrackAssignment.objects.exists()


def test_venue_form_refuses_a_room_given_twice_and_times_outside_the_conference(
    client, conference, venue, users
):
    client.force_login(users["admin"])
    room = venue["rooms"][venue["talks"].pk]
    day = f"{conference.starts_on:%Y-%m-%d}"
    response = client.post(
        reverse("scheduling:venue", args=[conference.slug]),
        {
            "form": "window",
            "window-track": venue["ws_a"].pk,
            "window-room": room.pk,
            "window-starts_at": f"{day}T10:00",
            "window-ends_at": f"{day}T12:00",
        },
    )
    assert "Hall 1 is already given to Talks &amp; demos at that time." in response.content.decode()
    response = client.post(
        reverse("scheduling:venue", args=[conference.slug]),
        {
            "form": "break",
            "break-title": "Coffee",
            "break-starts_at": "2001-01-01T10:00",
            "break-ends_at": "2001-01-01T10:30",
        },
    )
    assert "Give a time during the conference" in response.content.decode()
    assert room.windows.count() == 1
    assert conference.schedule_breaks.count() == 1
