"""Exports validate against the frab schemas and parse as iCalendar with the right time zone."""

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import jsonschema
import pytest
import xmlschema

from scheduling.exports import (
    ExportEvent,
    ExportPerson,
    ExportRoom,
    ExportSchedule,
    acronym,
    schedule_ics,
    schedule_json,
    schedule_xml,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "frab-schedule"
TZ = ZoneInfo("Europe/Vienna")


@pytest.fixture(scope="module")
def xml_schema():
    return xmlschema.XMLSchema(DATA / "schedule.xml.xsd")


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads((DATA / "schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 5, day, hour, minute, tzinfo=TZ)


def event(pk: int, title: str, room: str, start: dt.datetime, minutes: int, **kw) -> ExportEvent:
    defaults = {
        "abstract": f"Abstract of {title}.",
        "description": "1. Problem\n2. Method & results <live>",
        "format": "talk" if minutes == 60 else "workshop",
        "track": "Talks & demos" if minutes == 60 else "Workshops A",
        "url": f"https://expo.example.org/cls-2027/talk/{pk}/",
        "persons": (ExportPerson("Ada Lovelace", "Ada@Example.com", "Analyst."),),
        "organisation": "Acme Research",
    }
    defaults.update(kw)
    return ExportEvent(
        id=pk,
        title=title,
        room=room,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        **defaults,
    )


def sample(**kw) -> ExportSchedule:
    defaults = {
        "conference_slug": "cls-2027",
        "title": "Conference on Learning Systems 2027",
        "timezone": "Europe/Vienna",
        "start": dt.date(2027, 5, 4),
        "end": dt.date(2027, 5, 5),
        "url": "https://expo.example.org/cls-2027/schedule/",
        "base_url": "https://expo.example.org/",
        "version": "3",
        "generated_at": dt.datetime(2027, 4, 1, 12, 0, tzinfo=dt.UTC),
        "rooms": (ExportRoom("Hall 1", 300), ExportRoom("Room A", 40), ExportRoom("Room B")),
        "tracks": ("Talks & demos", "Workshops A", "Workshops B"),
        "events": (
            event(1, "Learning to rank, fast", "Hall 1", at(4, 9), 60),
            event(2, "Ünïcödé & <markup> in titles", "Hall 1", at(4, 10), 60),
            event(3, "Robot learning hands-on", "Room A", at(4, 14), 240),
            event(
                4,
                "Evaluating chat assistants",
                "Room B",
                at(5, 9),
                240,
                track="Workshops B",
                persons=(
                    ExportPerson("Grace Hopper", "grace@example.com"),
                    ExportPerson("Alan Turing", "alan@example.com"),
                ),
            ),
        ),
    }
    defaults.update(kw)
    return ExportSchedule(**defaults)


def test_schedule_xml_validates_against_the_frab_schema(xml_schema):
    document = schedule_xml(sample())
    xml_schema.validate(document.decode())
    assert xml_schema.is_valid(document.decode())


def test_schedule_xml_with_a_short_slug_and_an_empty_day_still_validates(xml_schema):
    schedule = sample(conference_slug="ab", end=dt.date(2027, 5, 7))
    xml_schema.validate(schedule_xml(schedule).decode())


def test_xml_schema_check_would_catch_a_broken_document(xml_schema):
    """Guards the validation tests: the schema rejects an event without its required guid."""
    document = schedule_xml(sample()).decode()
    first_event_guid = document.split('<event guid="', 1)[1].split('"', 1)[0]
    broken = document.replace(f'<event guid="{first_event_guid}"', "<event", 1)
    assert not xml_schema.is_valid(broken)


def test_schedule_xml_holds_local_times_and_durations():
    document = schedule_xml(sample()).decode()
    assert "<date>2027-05-04T14:00:00+02:00</date>" in document
    assert "<start>14:00</start>" in document
    assert "<duration>04:00</duration>" in document
    assert "<time_zone_name>Europe/Vienna</time_zone_name>" in document
    assert "&lt;markup&gt;" in document


def test_schedule_json_validates_against_the_frab_schema(json_validator):
    document = schedule_json(sample())
    json_validator.validate(json.loads(json.dumps(document)))


def test_json_validator_accepts_the_pretalx_example_and_rejects_a_broken_document(
    json_validator,
):
    """Guards the validation test: the validator is set up so that it can say no."""
    json_validator.validate(json.loads((DATA / "pretalx-democon.json").read_text()))
    document = schedule_json(sample())
    del document["schedule"]["conference"]["days"][0]["rooms"]["Hall 1"][0]["guid"]
    with pytest.raises(jsonschema.ValidationError):
        json_validator.validate(document)


def test_schedule_json_date_times_carry_the_venue_offset():
    # The schema's date-time format is not checked without extra packages: check it here.
    document = schedule_json(sample())
    days = document["schedule"]["conference"]["days"]
    events = [e for day in days for room in day["rooms"].values() for e in room]
    assert len(events) == 4
    for item in events:
        for key in ("date", "end"):
            moment = dt.datetime.fromisoformat(item[key])
            assert moment.utcoffset() == dt.timedelta(hours=2)
    first = next(e for e in events if e["id"] == 1)
    assert (first["start"], first["duration"], first["room"]) == ("09:00", "01:00", "Hall 1")
    assert first["slug"] == "cls_2027-1-learning-to-rank-fast"


def test_exports_publish_no_email_addresses():
    schedule = sample()
    assert "example.com" not in schedule_xml(schedule).decode().lower()
    assert "example.com" not in json.dumps(schedule_json(schedule)).lower()
    assert "example.com" not in schedule_ics(schedule).decode().lower()


def test_person_guid_is_the_same_for_any_spelling_of_the_address():
    a = sample(events=(event(1, "x", "Hall 1", at(4, 9), 60),))
    b = sample(
        events=(
            event(
                1, "x", "Hall 1", at(4, 9), 60, persons=(ExportPerson("Ada", " ada@example.COM"),)
            ),
        )
    )
    persons_a = schedule_json(a)["schedule"]["conference"]["days"][0]["rooms"]["Hall 1"][0]
    persons_b = schedule_json(b)["schedule"]["conference"]["days"][0]["rooms"]["Hall 1"][0]
    assert persons_a["persons"][0]["guid"] == persons_b["persons"][0]["guid"]


def test_ics_parses_with_the_conference_time_zone():
    calendar = icalendar.Calendar.from_ical(schedule_ics(sample()))
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Vienna"]
    events = calendar.walk("VEVENT")
    assert len(events) == 4
    first = events[0]
    start = first.decoded("DTSTART")
    assert first["DTSTART"].params["TZID"] == "Europe/Vienna"
    assert start == at(4, 9)
    assert start.utcoffset() == dt.timedelta(hours=2)
    assert first.decoded("DTEND") == at(4, 10)
    assert str(first["SUMMARY"]) == "Learning to rank, fast"
    assert str(first["LOCATION"]) == "Hall 1"
    assert first["UID"].endswith("@expo.example.org")
    assert "Speakers: Ada Lovelace (Acme Research)" in str(first["DESCRIPTION"])


def test_ics_keeps_local_times_across_a_daylight_saving_change():
    winter = dt.datetime(2027, 3, 27, 10, 0, tzinfo=TZ)  # +01:00; the clocks change next night
    summer = dt.datetime(2027, 3, 28, 10, 0, tzinfo=TZ)  # +02:00
    schedule = sample(
        start=dt.date(2027, 3, 27),
        end=dt.date(2027, 3, 28),
        events=(event(1, "Before", "Hall 1", winter, 60), event(2, "After", "Hall 1", summer, 60)),
    )
    calendar = icalendar.Calendar.from_ical(schedule_ics(schedule))
    starts = [e.decoded("DTSTART") for e in calendar.walk("VEVENT")]
    assert [s.utcoffset() for s in starts] == [dt.timedelta(hours=1), dt.timedelta(hours=2)]
    assert [s.astimezone(dt.UTC).hour for s in starts] == [9, 8]
    vtimezone = calendar.walk("VTIMEZONE")[0]
    assert {c.name for c in vtimezone.subcomponents} >= {"STANDARD", "DAYLIGHT"}


def test_short_conference_slug_becomes_a_valid_acronym():
    assert acronym(sample(conference_slug="ab")) == "ab_expo"
    assert acronym(sample(conference_slug="ICLR-2027")) == "iclr_2027"


def test_relative_addresses_are_rejected():
    with pytest.raises(ValueError, match="absolute http"):
        sample(url="/cls-2027/schedule/")


def test_event_in_unlisted_room_is_rejected():
    with pytest.raises(ValueError, match="room not listed"):
        sample(events=(event(1, "x", "Nowhere", at(4, 9), 60),))
