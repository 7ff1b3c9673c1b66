"""Track capacity shown while deciding follows the rooms' time windows and breaks."""

import datetime as dt

import pytest
from django.urls import reverse

from expo.conferences.models import Track
from scheduling.models import Room, ScheduleBreak, TrackWindow
from tests.factories import AdminFactory, ConferenceFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def day_window(conference, track, room, hours):
    start = dt.datetime.combine(conference.starts_on, dt.time(9), tzinfo=conference.tzinfo)
    return TrackWindow.objects.create(
        track=track, room=room, starts_at=start, ends_at=start + dt.timedelta(hours=hours)
    )


def test_capacity_follows_windows_and_breaks(django_capture_on_commit_callbacks):
    conference = ConferenceFactory()
    talks = Track.objects.get(conference=conference, format="talk")
    room = Room.objects.create(conference=conference, name="Hall 1")
    with django_capture_on_commit_callbacks(execute=True):
        day_window(conference, talks, room, hours=8)
    talks.refresh_from_db()
    assert talks.capacity == 8
    lunch = dt.datetime.combine(conference.starts_on, dt.time(12), tzinfo=conference.tzinfo)
    with django_capture_on_commit_callbacks(execute=True):
        ScheduleBreak.objects.create(
            conference=conference,
            title="Lunch",
            starts_at=lunch,
            ends_at=lunch + dt.timedelta(hours=1),
        )
    talks.refresh_from_db()
    assert talks.capacity == 7
    workshops = Track.objects.get(conference=conference, name="Workshops A")
    assert workshops.capacity is None, "a track without windows keeps its typed capacity"


def test_decision_page_shows_the_derived_capacity(client, django_capture_on_commit_callbacks):
    conference = ConferenceFactory()
    talks = Track.objects.get(conference=conference, format="talk")
    room = Room.objects.create(conference=conference, name="Hall 1")
    with django_capture_on_commit_callbacks(execute=True):
        day_window(conference, talks, room, hours=6)
    proposal = ProposalFactory(conference=conference, state="submitted")
    client.force_login(AdminFactory())
    url = reverse("reviews:bulk-decide", args=[conference.slug])
    body = client.get(url, {"proposals": [proposal.pk]}).content.decode()
    assert '<td data-label="Slots" class="num">6</td>' in body
