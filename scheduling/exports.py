"""Schedule exports: frab ``schedule.xml``, ``schedule.json`` and iCalendar (pure: no Django).

The XML and JSON follow the c3voc "frab" schedule format (data/frab-schedule/ holds the XML
Schema and JSON Schema they are tested against), which conference apps, video pipelines and
pretalx read. The iCalendar file carries a VTIMEZONE for the conference's time zone, so
calendar programs show the right local times on both sides of a daylight-saving change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

GENERATOR = "Expo"
GENERATOR_VERSION = "0.1.0"
JSON_SCHEMA_URL = "https://c3voc.de/schedule/schema.json"


@dataclasses.dataclass(frozen=True)
class ExportPerson:
    name: str
    email: str  # only its uuid5 leaves the server (as the schema recommends), never the address
    biography: str = ""


@dataclasses.dataclass(frozen=True)
class ExportEvent:
    id: int  # the proposal's primary key
    title: str
    abstract: str
    description: str
    format: str  # "talk" or "workshop"
    track: str
    room: str
    start: dt.datetime
    end: dt.datetime
    url: str  # absolute http(s) address of the session's public page
    persons: tuple[ExportPerson, ...] = ()
    organisation: str = ""
    language: str = "en"


@dataclasses.dataclass(frozen=True)
class ExportRoom:
    name: str
    capacity: int | None = None


@dataclasses.dataclass(frozen=True)
class ExportSchedule:
    conference_slug: str
    title: str
    timezone: str  # IANA name, e.g. Europe/Vienna
    start: dt.date
    end: dt.date
    url: str  # absolute address of the public schedule page
    base_url: str  # absolute address of the site
    version: str
    generated_at: dt.datetime  # when this version was published; the iCalendar DTSTAMP
    rooms: tuple[ExportRoom, ...]
    tracks: tuple[str, ...]
    events: tuple[ExportEvent, ...]
    timeslot_minutes: int = 15

    def __post_init__(self) -> None:
        for address in [self.url, self.base_url, *(e.url for e in self.events)]:
            if urlsplit(address).scheme not in {"http", "https"}:
                raise ValueError(f"Export addresses must be absolute http(s) URLs: {address!r}.")
        for event in self.events:
            if event.start.tzinfo is None or event.end.tzinfo is None:
                raise ValueError(f"“{event.title}” has times without a time zone.")
            if event.id < 1:
                raise ValueError(f"“{event.title}” needs a positive id.")
        if len({e.id for e in self.events}) != len(self.events):
            raise ValueError("Two events share an id.")
        known = {r.name for r in self.rooms}
        for event in self.events:
            if event.room not in known:
                raise ValueError(f"“{event.title}” is in a room not listed: {event.room}.")
        ZoneInfo(self.timezone)  # raises for an unknown zone

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --- Shared pieces --------------------------------------------------------------------------


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def acronym(schedule: ExportSchedule) -> str:
    """The conference's short name: lowercase letters, digits, underscores, at least four.

    The JSON Schema allows hyphens only in the first character, so they become underscores.
    """
    value = re.sub(r"[^a-z0-9_]", "_", schedule.conference_slug.lower())
    return value if len(value) >= 4 else f"{value}_expo"


def event_slug(schedule: ExportSchedule, event: ExportEvent) -> str:
    title = _slugify(event.title)[:60].strip("-") or "session"
    return f"{acronym(schedule)}-{event.id}-{title}"


def event_guid(event: ExportEvent) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, event.url)


def person_guid(person: ExportPerson) -> uuid.UUID:
    # The schema's convention, so that apps can merge a person across conferences.
    return uuid.uuid5(uuid.NAMESPACE_URL, f"acct:{person.email.strip().lower()}")


def room_guid(schedule: ExportSchedule, room: ExportRoom) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{schedule.url}#room-{_slugify(room.name)}")


def _hhmm(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours:02d}:{rest:02d}"


def _duration(event: ExportEvent) -> str:
    # Timestamps: datetimes sharing a tzinfo subtract as wall clocks, wrong across DST.
    return _hhmm(round((event.end.timestamp() - event.start.timestamp()) / 60))


def _local(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return moment.astimezone(tz)


@dataclasses.dataclass(frozen=True)
class _Day:
    index: int
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    rooms: dict[str, list[ExportEvent]]


def _days(schedule: ExportSchedule) -> list[_Day]:
    tz = schedule.tz
    by_date: dict[dt.date, list[ExportEvent]] = defaultdict(list)
    for event in schedule.events:
        by_date[_local(event.start, tz).date()].append(event)
    dates = set(by_date)
    current = schedule.start
    while current <= schedule.end:
        dates.add(current)
        current += dt.timedelta(days=1)
    days = []
    for index, date in enumerate(sorted(dates), start=1):
        events = sorted(by_date.get(date, []), key=lambda e: (e.start.timestamp(), e.id))
        if events:
            start = _local(min(events, key=lambda e: e.start.timestamp()).start, tz)
            end = _local(max(events, key=lambda e: e.end.timestamp()).end, tz)
        else:
            start = dt.datetime.combine(date, dt.time(0, 0), tzinfo=tz)
            end = dt.datetime.combine(date, dt.time(23, 59), tzinfo=tz)
        rooms: dict[str, list[ExportEvent]] = {room.name: [] for room in schedule.rooms}
        for event in events:
            rooms[event.room].append(event)
        days.append(_Day(index, date, start, end, rooms))
    return days


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _track_slug(name: str) -> str | None:
    slug = _slugify(name)
    return slug if re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", slug) else None


# --- schedule.xml ---------------------------------------------------------------------------


def schedule_xml(schedule: ExportSchedule) -> bytes:
    """The frab ``schedule.xml`` document, UTF-8 encoded."""
    tz = schedule.tz
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR, version=GENERATOR_VERSION)
    ET.SubElement(root, "url").text = schedule.url
    ET.SubElement(root, "version").text = schedule.version
    conference = ET.SubElement(root, "conference")
    days = _days(schedule)
    for tag, text in (
        ("title", schedule.title),
        ("acronym", acronym(schedule)),
        ("start", schedule.start.isoformat()),
        ("end", schedule.end.isoformat()),
        ("days", str(len(days))),
        ("timeslot_duration", _hhmm(schedule.timeslot_minutes)),
        ("base_url", schedule.base_url),
        ("url", schedule.url),
        ("time_zone_name", schedule.timezone),
    ):
        ET.SubElement(conference, tag).text = text
    for name in schedule.tracks:
        attributes = {"name": name}
        if slug := _track_slug(name):
            attributes["slug"] = slug
        ET.SubElement(conference, "track", attributes).text = name
    rooms = {room.name: room for room in schedule.rooms}
    for day in days:
        day_element = ET.SubElement(
            root,
            "day",
            index=str(day.index),
            date=day.date.isoformat(),
            start=_iso(day.start),
            end=_iso(day.end),
        )
        for room_name, events in day.rooms.items():
            room_element = ET.SubElement(
                day_element, "room", name=room_name, guid=str(room_guid(schedule, rooms[room_name]))
            )
            for event in events:
                _xml_event(room_element, schedule, event, tz)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def _xml_event(
    parent: ET.Element, schedule: ExportSchedule, event: ExportEvent, tz: ZoneInfo
) -> None:
    start = _local(event.start, tz)
    element = ET.SubElement(parent, "event", guid=str(event_guid(event)), id=str(event.id))
    for tag, text in (
        ("room", event.room),
        ("title", event.title),
        ("subtitle", ""),
        ("type", event.format),
        ("date", _iso(start)),
        ("start", f"{start:%H:%M}"),
        ("duration", _duration(event)),
        ("abstract", event.abstract),
        ("slug", event_slug(schedule, event)),
        ("track", event.track),
        ("language", event.language),
        ("description", event.description),
        ("url", event.url),
    ):
        ET.SubElement(element, tag).text = text
    persons = ET.SubElement(element, "persons")
    for person in event.persons:
        ET.SubElement(persons, "person", guid=str(person_guid(person))).text = person.name
    ET.SubElement(element, "links")
    ET.SubElement(element, "attachments")


# --- schedule.json --------------------------------------------------------------------------


def schedule_json(schedule: ExportSchedule) -> dict[str, Any]:
    """The frab ``schedule.json`` document as a dict, ready for ``json.dumps``."""
    tz = schedule.tz
    tracks = []
    for name in schedule.tracks:
        track: dict[str, Any] = {"name": name}
        if slug := _track_slug(name):
            track["slug"] = slug
        tracks.append(track)
    days = _days(schedule)
    return {
        "$schema": JSON_SCHEMA_URL,
        "generator": {"name": GENERATOR, "version": GENERATOR_VERSION},
        "schedule": {
            "version": schedule.version,
            "base_url": schedule.base_url,
            "conference": {
                "acronym": acronym(schedule),
                "title": schedule.title,
                "start": schedule.start.isoformat(),
                "end": schedule.end.isoformat(),
                "daysCount": len(days),
                "timeslot_duration": _hhmm(schedule.timeslot_minutes),
                "time_zone_name": schedule.timezone,
                "url": schedule.url,
                "tracks": tracks,
                "rooms": [
                    {
                        "name": room.name,
                        "guid": str(room_guid(schedule, room)),
                        "capacity": room.capacity,
                    }
                    for room in schedule.rooms
                ],
                "days": [
                    {
                        "index": day.index,
                        "date": day.date.isoformat(),
                        "day_start": _iso(day.start),
                        "day_end": _iso(day.end),
                        "rooms": {
                            name: [_json_event(schedule, e, tz) for e in events]
                            for name, events in day.rooms.items()
                        },
                    }
                    for day in days
                ],
            },
        },
    }


def _json_event(schedule: ExportSchedule, event: ExportEvent, tz: ZoneInfo) -> dict[str, Any]:
    start = _local(event.start, tz)
    return {
        "guid": str(event_guid(event)),
        "id": event.id,
        "date": _iso(start),
        "start": f"{start:%H:%M}",
        "end": _iso(_local(event.end, tz)),
        "duration": _duration(event),
        "room": event.room,
        "slug": event_slug(schedule, event),
        "url": event.url,
        "title": event.title,
        "subtitle": "",
        "track": event.track,
        "type": event.format,
        "language": event.language,
        "abstract": event.abstract,
        "description": event.description,
        "persons": [
            {"name": p.name, "guid": str(person_guid(p)), "biography": p.biography or None}
            for p in event.persons
        ],
        "links": [],
        "attachments": [],
    }


# --- schedule.ics ---------------------------------------------------------------------------


def schedule_ics(schedule: ExportSchedule) -> bytes:
    """An iCalendar (RFC 5545) file with one VEVENT per session and the VTIMEZONE it needs."""
    tz = schedule.tz
    host = urlsplit(schedule.base_url).hostname or "expo"
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{GENERATOR}//{GENERATOR_VERSION}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{schedule.title} – schedule")
    calendar.add("x-wr-timezone", schedule.timezone)
    stamp = schedule.generated_at.astimezone(dt.UTC)
    for event in sorted(schedule.events, key=lambda e: (e.start.timestamp(), e.id)):
        vevent = icalendar.Event()
        vevent.add("uid", f"{event_guid(event)}@{host}")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", _local(event.start, tz))
        vevent.add("dtend", _local(event.end, tz))
        vevent.add("summary", event.title)
        speakers = ", ".join(p.name for p in event.persons)
        lines = [event.abstract]
        if speakers:
            lines.append(
                f"Speakers: {speakers}" + (f" ({event.organisation})" if event.organisation else "")
            )
        lines.append(event.url)
        vevent.add("description", "\n\n".join(line for line in lines if line))
        vevent.add("location", event.room)
        vevent.add("categories", [event.track])
        vevent.add("url", event.url)
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    body: bytes = calendar.to_ical()
    return body
