"""Rooms, their time windows per track, breaks, speakers' unavailability, sponsors' timing
wishes, and schedule versions with their placed sessions.

Models stay thin: solving, publishing and exporting live in ``scheduling.services`` (writes),
``scheduling.selectors`` (reads) and the pure modules ``solver``, ``tracks`` and ``exports``.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from expo.conferences.models import Conference, Track
from expo.proposals.models import Proposal


def _validate_word_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError('Give a list of names, e.g. ["projector", "power sockets"].')


class Room(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveIntegerField(
        "seats", null=True, blank=True, help_text="How many people fit in, if known."
    )
    equipment = models.JSONField(
        default=list,
        blank=True,
        validators=[_validate_word_list],
        help_text='What the room offers, e.g. ["projector", "power at every seat"].',
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "name"], name="room_name_per_conference")
        ]

    def __str__(self) -> str:
        return self.name


class TrackWindow(models.Model):
    """A stretch of time in which a track runs in a room; the gaps between windows and the
    breaks are when no session runs. A track's capacity follows from its windows."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="windows")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="windows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="track_window_ordered"
            )
        ]
        indexes = [models.Index(fields=["room", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.track.name} in {self.room.name} from {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.track_id and self.room_id and self.track.conference_id != self.room.conference_id:
            raise ValidationError("The room and the track belong to different conferences.")
        if self.room_id and self.starts_at and self.ends_at:
            clash = (
                TrackWindow.objects.filter(
                    room_id=self.room_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
                )
                .exclude(pk=self.pk)
                .select_related("track")
                .first()
            )
            if clash is not None:
                raise ValidationError(
                    f"{self.room.name} is already given to {clash.track.name} at that time."
                )


class ScheduleBreak(models.Model):
    """No session runs across a break. Without a track, the break is for every track."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="schedule_breaks"
    )
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, null=True, blank=True, related_name="breaks"
    )
    title = models.CharField(max_length=100, default="Break")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="schedule_break_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.track.name if self.track else 'all tracks'})"

    def clean(self) -> None:
        track = self.track if self.track_id else None
        if track is not None and self.conference_id and track.conference_id != self.conference_id:
            raise ValidationError("The track belongs to another conference.")


class SpeakerUnavailability(models.Model):
    """A time a speaker of a proposal cannot present, stated when submitting. The scheduler
    applies it to every session that speaker (by e-mail) gives."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="speaker_unavailabilities"
    )
    email = models.EmailField("speaker's e-mail address")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["starts_at", "pk"]
        verbose_name_plural = "speaker unavailabilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="speaker_unavailability_ordered"
            )
        ]
        indexes = [models.Index(fields=["proposal", "email"])]

    def __str__(self) -> str:
        return f"{self.email} unavailable from {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.proposal_id and self.email:
            emails = {e.lower() for e in self.proposal.speakers.values_list("email", flat=True)}
            if self.email.strip().lower() not in emails:
                raise ValidationError({"email": "This address is not a speaker of the proposal."})


class HalfDay(models.TextChoices):
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"


class SessionPreference(models.Model):
    """What a sponsor asks for the timing and room of its proposal; honoured where possible."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, primary_key=True, related_name="session_preference"
    )
    half_day = models.CharField(
        "preferred half-day", max_length=10, choices=HalfDay.choices, blank=True
    )
    equipment = models.JSONField(
        "equipment needed",
        default=list,
        blank=True,
        validators=[_validate_word_list],
        help_text='Only rooms with all of it are considered, e.g. ["projector"].',
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Preferences for {self.proposal}"


class ScheduleState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class SolverStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the solver"
    OPTIMAL = "optimal", "Optimal"
    FEASIBLE = "feasible", "Feasible (within a proven bound)"
    INFEASIBLE = "infeasible", "No schedule exists"
    UNKNOWN = "unknown", "Unknown (time ran out)"
    MANUAL = "manual", "Arranged by hand"


class ScheduleVersion(models.Model):
    """One complete schedule of a conference. Drafts are edited and re-solved; a published
    version is what the public sees (the most recently published one)."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="schedule_versions"
    )
    number = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=ScheduleState.choices, default=ScheduleState.DRAFT, db_index=True
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    solver_status = models.CharField(
        max_length=12, choices=SolverStatus.choices, default=SolverStatus.MANUAL
    )
    objective = models.IntegerField(null=True, blank=True)
    best_bound = models.FloatField(null=True, blank=True)
    solve_seconds = models.FloatField(null=True, blank=True)
    grid_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    topic_overlap_minutes = models.PositiveIntegerField(null=True, blank=True)
    missed_preferences = models.PositiveIntegerField(null=True, blank=True)
    conflicts = models.JSONField(
        default=list,
        blank=True,
        help_text="Why no schedule exists, as sentences: [{kind, message, sessions}].",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["conference", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "number"], name="schedule_version_number_per_conference"
            ),
            models.CheckConstraint(
                condition=~Q(state=ScheduleState.PUBLISHED) | Q(published_at__isnull=False),
                name="schedule_version_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Schedule v{self.number} of {self.conference.slug} ({self.get_state_display()})"

    @property
    def is_published(self) -> bool:
        return self.state == ScheduleState.PUBLISHED

    @property
    def gap(self) -> float | None:
        """Relative distance between the objective and the proven bound (0 = optimal)."""
        if self.objective is None or self.best_bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.best_bound) / abs(self.objective))


class ScheduledSession(models.Model):
    version = models.ForeignKey(ScheduleVersion, on_delete=models.CASCADE, related_name="sessions")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="scheduled_sessions"
    )
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="scheduled_sessions")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="scheduled_sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    locked = models.BooleanField(
        default=False, help_text="Kept where it is when the schedule is solved again."
    )

    class Meta:
        ordering: ClassVar = ["starts_at", "room__position", "room__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "proposal"], name="scheduled_session_once_per_version"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="scheduled_session_ordered"
            ),
        ]
        indexes = [models.Index(fields=["version", "room", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.proposal} in {self.room} at {self.starts_at:%Y-%m-%d %H:%M}"


class TrackAssignment(models.Model):
    """Why a proposal is in its track: the automatic sorter's sentence, or a chair's choice
    with the chair's reason. ``Proposal.track`` stays the track the solver uses; this row says
    how it got there, and keeps the last automatic suggestion next to an override."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, primary_key=True, related_name="track_assignment"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    automatic = models.BooleanField(default=True)
    reason = models.TextField(help_text="The sorter's reason, or the chair's reason.")
    suggested_track = models.ForeignKey(
        Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggested_reason = models.TextField(blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        how = "automatically" if self.automatic else "by a chair"
        return f"{self.proposal} in {self.track.name} ({how})"


class AppendOnlyError(Exception):
    """Schedule changes are never edited or deleted."""


class ScheduleChangeQuerySet(models.QuerySet["ScheduleChange"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Schedule changes cannot be edited.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Schedule changes cannot be deleted.")


class ScheduleChangeKind(models.TextChoices):
    MOVED = "moved", "Moved"
    ADDED = "added", "Added"
    REMOVED = "removed", "Removed"


class ScheduleChange(models.Model):
    """A change to the public schedule after it was first published: a session moved in the
    published version, or placed differently by a newer published version. Append-only; the
    sponsor's e-mail about it is queued in the outbox under ``schedule-change:<pk>``.

    Rooms and titles are kept as text, so the record reads the same after rooms are renamed.
    """

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="schedule_changes"
    )
    version = models.ForeignKey(ScheduleVersion, on_delete=models.CASCADE, related_name="changes")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.SET_NULL, null=True, related_name="schedule_changes"
    )
    title = models.CharField(max_length=Proposal.TITLE_MAX)
    kind = models.CharField(max_length=10, choices=ScheduleChangeKind.choices)
    room_before = models.CharField(max_length=100, blank=True)
    starts_before = models.DateTimeField(null=True, blank=True)
    ends_before = models.DateTimeField(null=True, blank=True)
    room_after = models.CharField(max_length=100, blank=True)
    starts_after = models.DateTimeField(null=True, blank=True)
    ends_after = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ScheduleChangeQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Schedule changes cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Schedule changes cannot be deleted.")

    @property
    def notification_key(self) -> str:
        return f"schedule-change:{self.pk}"
