"""The exports at /<slug>/schedule.xml, .json and .ics, fetched through the real URLs: valid
against the frab schemas, parseable iCalendar in the venue's time zone, published data only."""

import json
from pathlib import Path

import icalendar
import jsonschema
import pytest
import xmlschema
from django.urls import reverse

from scheduling import services
from tests.scheduling.conftest import at, make_accepted

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2] / "data" / "frab-schedule"


@pytest.fixture
def published(conference, venue, users):
    for track in (venue["talks"], venue["talks"], venue["ws_a"], venue["ws_b"]):
        make_accepted(conference, track, speakers=2)
    version = services.schedule_version_solve(conference=conference, by=users["admin"])
    services.schedule_version_publish(version=version, by=users["admin"])
    # A later draft moves a talk; the exports must not show it.
    draft = services.schedule_version_copy(version=version, by=users["admin"])
    session = draft.sessions.filter(track=venue["talks"]).first()
    taken = {s.starts_at for s in draft.sessions.filter(track=venue["talks"])}
    hour = next(h for h in (17, 16, 15) if at(conference, h) not in taken)
    services.scheduled_session_move(
        version=draft,
        session_id=session.pk,
        room_id=session.room_id,
        starts_at=at(conference, hour),
        by=users["admin"],
    )
    return {"version": version, "draft_time": at(conference, hour)}


def test_xml_export_validates_against_the_frab_schema(client, conference, published):
    response = client.get(reverse("schedule-xml", args=[conference.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    schema = xmlschema.XMLSchema(DATA / "schedule.xml.xsd")
    schema.validate(response.content.decode())
    assert response.content.decode().count("<event ") == 4
    assert "@speakers.example.net" not in response.content.decode()


def test_json_export_validates_against_the_frab_schema(client, conference, published):
    response = client.get(reverse("schedule-json", args=[conference.slug]))
    assert response["Content-Type"] == "application/json"
    schema = json.loads((DATA / "schema.json").read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class(schema, format_checker=validator_class.FORMAT_CHECKER).validate(response.json())
    days = response.json()["schedule"]["conference"]["days"]
    events = [e for d in days for room in d["rooms"].values() for e in room]
    assert len(events) == 4
    assert all(e["url"].startswith("http://testserver/") for e in events)
    # Each event's address is its public page, which answers.
    assert client.get(events[0]["url"]).status_code == 200


def test_ics_export_parses_with_the_venue_time_zone_and_only_published_times(
    client, conference, published
):
    response = client.get(reverse("schedule-ics", args=[conference.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Vienna"]
    events = calendar.walk("VEVENT")
    assert len(events) == 4
    starts = {e["DTSTART"].dt for e in events}
    published_starts = {s.starts_at for s in published["version"].sessions.all()}
    assert starts == published_starts
    assert all(e["DTSTART"].params["TZID"] == "Europe/Vienna" for e in events)
    assert published["draft_time"] not in starts


def test_exports_of_an_unknown_conference_are_404(client, published):
    for name in ("schedule-xml", "schedule-json", "schedule-ics"):
        assert client.get(reverse(name, args=["nowhere"])).status_code == 404
