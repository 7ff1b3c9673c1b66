"""Conferences, their research topics, Expo formats and tracks."""

import datetime as dt
import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (e.g. Europe/Berlin).")


# First path segments the project routes itself; a conference slug must not shadow them.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "accounts",
        "dashboard",
        "organisations",
        "proposals",
        "invitations",
        "static",
        "media",
        "review",
        "reviews",
        "healthz",
        "readyz",
    }
)


def validate_conference_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is reserved for the site's own pages; choose another.")


class ExpoFormat(models.TextChoices):
    """The two Expo formats; their lengths are fixed by the call for proposals."""

    TALK = "talk", "Talk or demo (60 min)"
    WORKSHOP = "workshop", "Workshop (240 min)"

    @property
    def duration_minutes(self) -> int:
        return FORMAT_MINUTES[self]


FORMAT_MINUTES: dict[str, int] = {ExpoFormat.TALK: 60, ExpoFormat.WORKSHOP: 240}


class Conference(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        validators=[validate_conference_slug],
        help_text="Used in addresses: /<slug>/ — lowercase letters, digits and hyphens.",
    )
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA time zone of the venue; deadlines are shown in it.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    call_text = models.TextField(
        "Expo call text", blank=True, help_text="Shown to sponsors on the conference page."
    )
    cfp_opens_at = models.DateTimeField("CfP opens at")
    cfp_closes_at = models.DateTimeField("CfP closes at")
    chairs = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ConferenceChair",
        related_name="chaired_conferences",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="conference_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(cfp_closes_at__gt=F("cfp_opens_at")), name="conference_cfp_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The conference cannot end before it starts."
        if self.cfp_opens_at and self.cfp_closes_at and self.cfp_closes_at <= self.cfp_opens_at:
            errors["cfp_closes_at"] = "The CfP must close after it opens."
        if errors:
            raise ValidationError(errors)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` in the conference's time zone."""
        return timezone.localtime(moment, self.tzinfo)

    def cfp_is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.cfp_opens_at <= now < self.cfp_closes_at

    def cfp_state(self, now: dt.datetime | None = None) -> str:
        now = now or timezone.now()
        if now < self.cfp_opens_at:
            return "not_open"
        return "open" if now < self.cfp_closes_at else "closed"

    def format_deadline(self, moment: dt.datetime) -> str:
        local = self.local(moment)
        return f"{local:%A %-d %B %Y, %H:%M} ({self.timezone})"

    @property
    def cfp_closes_display(self) -> str:
        return self.format_deadline(self.cfp_closes_at)

    @property
    def cfp_opens_display(self) -> str:
        return self.format_deadline(self.cfp_opens_at)


class ConferenceChair(models.Model):
    """Makes a user an Expo cochair (reviewer) of one conference."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    affiliations = models.TextField(
        blank=True,
        help_text="Organisations this chair works for or with, one per line "
        "(used to find conflicts of interest).",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "user"], name="chair_once_per_conference")
        ]

    def __str__(self) -> str:
        return f"{self.user} chairs {self.conference}"


class Topic(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "name"], name="topic_name_per_conference")
        ]

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    """A room's programme for the Expo day; three are created with each conference."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(max_length=100)
    format = models.CharField(max_length=20, choices=ExpoFormat.choices)
    position = models.PositiveSmallIntegerField(default=0)
    capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Number of sessions the track can hold, if known."
    )

    class Meta:
        ordering: ClassVar = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "name"], name="track_name_per_conference")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.conference.slug})"


DEFAULT_TRACKS: tuple[tuple[str, str], ...] = (
    ("Talks & demos", ExpoFormat.TALK),
    ("Workshops A", ExpoFormat.WORKSHOP),
    ("Workshops B", ExpoFormat.WORKSHOP),
)
