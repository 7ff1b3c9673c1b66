"""Forms of the scheduling pages. Date-times are entered in the conference's time zone: the
views validate and render these forms inside ``timezone.override(conference.tzinfo)``."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from expo.conferences.models import Conference, Track
from expo.proposals.models import Proposal
from scheduling.models import HalfDay, Room, ScheduleBreak, ScheduleVersion, TrackWindow
from scheduling.services import UnavailabilityInput, conference_span, unavailability_problems

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, widget=LocalDateTimeInput())


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


class RoomForm(forms.ModelForm[Room]):
    equipment_text = forms.CharField(
        label="Equipment",
        required=False,
        help_text="Separated by commas, e.g. projector, power at every seat.",
    )

    class Meta:
        model = Room
        fields = ("name", "capacity", "position")

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.conference = conference
        self.fields["position"].required = False
        self.fields["position"].help_text = "Rooms are shown in this order (0 first)."

    def clean_position(self) -> int:
        return self.cleaned_data.get("position") or 0

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        rooms = Room.objects.filter(conference=self.instance.conference, name__iexact=name)
        if rooms.exclude(pk=self.instance.pk).exists():
            raise ValidationError("This conference already has a room of that name.")
        return name

    def save(self, commit: bool = True) -> Room:
        self.instance.equipment = _words(self.cleaned_data.get("equipment_text", ""))
        return super().save(commit=commit)


class TrackWindowForm(forms.ModelForm[TrackWindow]):
    starts_at = _datetime_field("From")
    ends_at = _datetime_field("To")

    class Meta:
        model = TrackWindow
        fields = ("track", "room", "starts_at", "ends_at")

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.filter(conference=conference)  # type: ignore[attr-defined]
        self.fields["room"].queryset = Room.objects.filter(conference=conference)  # type: ignore[attr-defined]
        self.conference = conference

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_span(self, self.conference)
        return data


class BreakForm(forms.ModelForm[ScheduleBreak]):
    starts_at = _datetime_field("From")
    ends_at = _datetime_field("To")

    class Meta:
        model = ScheduleBreak
        fields = ("title", "track", "starts_at", "ends_at")
        help_texts = {"track": "Leave empty for a break in every track."}

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.conference = conference
        self.fields["track"].queryset = Track.objects.filter(conference=conference)  # type: ignore[attr-defined]
        self.fields["track"].empty_label = "All tracks"  # type: ignore[attr-defined]
        self.conference = conference

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_span(self, self.conference)
        return data


def _check_span(form: forms.BaseForm, conference: Conference) -> None:
    start = form.cleaned_data.get("starts_at")
    end = form.cleaned_data.get("ends_at")
    if start is None or end is None:
        return
    if end <= start:
        form.add_error("ends_at", "The end must come after the start.")
        return
    first, last = conference_span(conference)
    if start < first or end > last:
        form.add_error(
            "starts_at" if start < first else "ends_at",
            f"Give a time during the conference ({conference.starts_on:%-d %b} – "
            f"{conference.ends_on:%-d %b %Y}).",
        )


class TrackChoiceForm(forms.Form):
    track = forms.ModelChoiceField(queryset=Track.objects.none(), empty_label=None)
    reason = forms.CharField(
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "Why this track?"}),
        help_text="Shown to the other chairs next to the assignment.",
    )

    def __init__(
        self,
        *args: Any,
        proposal: Proposal,
        tracks: list[Track] | None = None,
        **kwargs: Any,
    ) -> None:
        """``tracks``, the conference's tracks when already loaded, saves a query per form."""
        super().__init__(*args, **kwargs)
        field = self.fields["track"]
        field.queryset = Track.objects.filter(  # type: ignore[attr-defined]
            conference_id=proposal.conference_id, format=proposal.format
        )
        if tracks is not None:
            field.choices = [(t.pk, t.name) for t in tracks if t.format == proposal.format]  # type: ignore[attr-defined]
        if proposal.track_id is not None:
            self.initial.setdefault("track", proposal.track_id)


class SolveForm(forms.Form):
    based_on = forms.ModelChoiceField(
        queryset=ScheduleVersion.objects.none(),
        required=False,
        empty_label="— none: place everything afresh —",
        label="Keep the locked sessions of",
    )

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["based_on"].queryset = ScheduleVersion.objects.filter(  # type: ignore[attr-defined]
            conference=conference
        ).order_by("-number")
        self.fields["based_on"].label_from_instance = (  # type: ignore[attr-defined]
            lambda v: f"Version {v.number} ({v.get_state_display().lower()})"
        )


class PublishForm(forms.Form):
    note = forms.CharField(
        max_length=500,
        required=False,
        label="What changed and why (for the change log and the sponsors' e-mails)",
    )


class GridEditForm(forms.Form):
    """One form around the whole grid: ``session`` is the selected session (a radio button);
    the button pressed says what to do with it."""

    session = forms.IntegerField(required=False)
    to = forms.CharField(required=False, max_length=120)
    swap = forms.IntegerField(required=False)
    lock = forms.IntegerField(required=False)
    unlock = forms.IntegerField(required=False)
    reason = forms.CharField(required=False, max_length=500)
    day = forms.DateField(required=False)

    def clean_to(self) -> tuple[int, dt.datetime] | None:
        """``<room>:<track>:<UTC ISO start>`` as posted by a free cell."""
        value: str = self.cleaned_data.get("to") or ""
        if not value:
            return None
        parts = value.split(":", 2)
        try:
            room = int(parts[0])
            start = dt.datetime.fromisoformat(parts[2])
        except (ValueError, IndexError) as error:
            raise ValidationError("That is not a place in the grid.") from error
        if start.tzinfo is None:
            raise ValidationError("That is not a place in the grid.")
        return room, start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        actions = [k for k in ("to", "swap", "lock", "unlock") if data.get(k) is not None]
        if len(actions) != 1:
            raise ValidationError("Choose one thing to do.")
        if actions[0] in {"to", "swap"} and data.get("session") is None:
            raise ValidationError("First select the session to move (the circle on its card).")
        data["action"] = actions[0]
        return data


class CompareForm(forms.Form):
    a = forms.IntegerField(label="Version", min_value=1)
    b = forms.IntegerField(label="with version", min_value=1)


class PreferenceForm(forms.Form):
    half_day = forms.ChoiceField(
        label="Preferred time of day",
        choices=[("", "No preference"), *HalfDay.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text="Honoured where the schedule allows.",
    )
    equipment = forms.MultipleChoiceField(
        label="Equipment your session needs",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only rooms that have all of it are considered, so tick only what you need.",
    )

    def __init__(self, *args: Any, equipment: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if equipment:
            self.fields["equipment"].choices = [(e, e) for e in equipment]  # type: ignore[attr-defined]
        else:  # nothing to choose from: no rooms list equipment yet
            del self.fields["equipment"]


class UnavailabilityForm(forms.Form):
    email = forms.ChoiceField(label="Speaker")
    starts_at = _datetime_field("Unavailable from")
    ends_at = _datetime_field("until")
    note = forms.CharField(max_length=200, required=False)

    def __init__(
        self, *args: Any, conference: Conference, speakers: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.conference = conference
        self.speakers = speakers
        self.fields["email"].choices = [("", "—"), *speakers]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if {"email", "starts_at", "ends_at"} <= data.keys():
            problems = unavailability_problems(
                conference=self.conference,
                speakers=[email for email, _ in self.speakers],
                item=self.as_input(data),
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return data

    @staticmethod
    def as_input(data: dict[str, Any]) -> UnavailabilityInput:
        return UnavailabilityInput(
            data["email"], data["starts_at"], data["ends_at"], data.get("note", "")
        )


def unavailability_inputs(
    formset: forms.BaseFormSet[UnavailabilityForm],
) -> list[UnavailabilityInput]:
    """The rows of a valid formset that are filled in and not marked for deletion."""
    return [
        UnavailabilityForm.as_input(form.cleaned_data)
        for form in formset.forms
        if form.cleaned_data
        and not form.cleaned_data.get("DELETE")
        and {"email", "starts_at", "ends_at"} <= form.cleaned_data.keys()
    ]


UnavailabilityFormSet = forms.formset_factory(
    UnavailabilityForm,
    extra=2,
    can_delete=True,
    max_num=20,
    validate_max=True,
)
