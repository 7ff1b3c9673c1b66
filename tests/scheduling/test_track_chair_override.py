"""Chairs can see and override each track assignment, except for proposals they are
conflicted with, which they do not see on the tracks page at all."""

import pytest
from django.urls import reverse

from expo.conferences.models import Track
from scheduling.models import TrackAssignment
from tests.factories import ConferenceFactory, ProposalFactory
from tests.reviews.factories import chair, conflicted_chair

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    conference = ConferenceFactory()
    a, b = (
        Track.objects.get(conference=conference, name="Workshops A"),
        Track.objects.get(conference=conference, name="Workshops B"),
    )
    workshop = ProposalFactory(
        conference=conference, format="workshop", state="accepted", title="Graph workshop"
    )
    workshop.track = a
    workshop.save()
    return conference, workshop, a, b


def choose(client, conference, proposal, track, reason="Fits the graph theme of B"):
    return client.post(
        reverse("scheduling:track-choose", args=[conference.slug, proposal.pk]),
        {f"p{proposal.pk}-track": track.pk, f"p{proposal.pk}-reason": reason},
    )


def test_chair_overrides_a_track_with_a_reason(client, setup):
    conference, workshop, _, b = setup
    client.force_login(chair(conference))
    page = client.get(reverse("scheduling:tracks", args=[conference.slug])).content.decode()
    assert "Graph workshop" in page
    assert reverse("scheduling:track-choose", args=[conference.slug, workshop.pk]) in page
    choose(client, conference, workshop, b)
    workshop.refresh_from_db()
    assert workshop.track == b
    assignment = TrackAssignment.objects.get(proposal=workshop)
    assert assignment.reason == "Fits the graph theme of B"
    assert not assignment.automatic


def test_conflicted_chair_neither_sees_nor_moves_the_proposal(client, setup):
    conference, workshop, a, b = setup
    insider = conflicted_chair(conference, workshop)
    client.force_login(insider)
    page = client.get(reverse("scheduling:tracks", args=[conference.slug])).content.decode()
    assert "Graph workshop" not in page
    response = choose(client, conference, workshop, b)
    assert response.status_code == 404
    workshop.refresh_from_db()
    assert workshop.track == a
