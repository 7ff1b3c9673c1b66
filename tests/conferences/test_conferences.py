import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from expo.conferences.models import Conference, ExpoFormat
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db


def test_new_conference_gets_the_three_default_tracks():
    now = timezone.now()
    conference = Conference.objects.create(
        name="Plain",
        slug="plain",
        starts_on=now.date(),
        ends_on=now.date(),
        cfp_opens_at=now,
        cfp_closes_at=now + dt.timedelta(days=1),
    )
    tracks = list(conference.tracks.values_list("name", "format"))
    assert tracks == [
        ("Talks & demos", ExpoFormat.TALK),
        ("Workshops A", ExpoFormat.WORKSHOP),
        ("Workshops B", ExpoFormat.WORKSHOP),
    ]


def test_formats_have_their_durations():
    assert ExpoFormat.TALK.duration_minutes == 60
    assert ExpoFormat.WORKSHOP.duration_minutes == 240


@pytest.mark.parametrize("slug", ["admin", "api", "dashboard", "proposals"])
def test_reserved_slugs_are_refused(slug):
    conference = ConferenceFactory.build(slug=slug)
    with pytest.raises(ValidationError, match="reserved"):
        conference.full_clean()


def test_unknown_timezone_is_refused():
    conference = ConferenceFactory.build(timezone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError, match="not a known time zone"):
        conference.full_clean()


def test_cfp_must_close_after_it_opens():
    conference = ConferenceFactory.build()
    conference.cfp_closes_at = conference.cfp_opens_at
    with pytest.raises(ValidationError, match="close after it opens"):
        conference.full_clean()


def test_cfp_state_changes_at_the_deadlines():
    conference = ConferenceFactory()
    assert conference.cfp_state(conference.cfp_opens_at - dt.timedelta(seconds=1)) == "not_open"
    assert conference.cfp_state(conference.cfp_opens_at) == "open"
    assert conference.cfp_state(conference.cfp_closes_at) == "closed"


def test_home_lists_conferences_with_cfp_state(client):
    conference = ConferenceFactory(name="Learning Systems Expo")
    body = client.get(reverse("home")).content.decode()
    assert "Learning Systems Expo" in body
    assert "CfP open" in body
    assert conference.cfp_closes_display in body


def test_home_empty_state(client):
    assert "No conference is open" in client.get(reverse("home")).content.decode()


def test_conference_page_shows_topics_formats_and_deadline(client):
    conference = ConferenceFactory(topic_names=["Bandits"], timezone="Europe/Vienna")
    body = client.get(reverse("conference-detail", args=[conference.slug])).content.decode()
    assert "Bandits" in body
    assert "Workshop (240 min)" in body
    assert "(Europe/Vienna)" in body
    assert reverse("proposal-create", args=[conference.slug]) in body


def test_unknown_conference_is_404(client):
    assert client.get("/no-such-conference/").status_code == 404


def test_deadline_display_uses_conference_timezone():
    conference = ConferenceFactory(timezone="Pacific/Auckland")
    conference.cfp_closes_at = dt.datetime(2027, 3, 1, 10, 59, tzinfo=dt.UTC)
    assert conference.cfp_closes_display == "Monday 1 March 2027, 23:59 (Pacific/Auckland)"
