"""Scheduling pages: the admins' workspace (venue, tracks, versions, the grid, comparing,
publishing), the sponsor's availability page, and the public schedule with its exports.

Views parse input, ask the rules table, call a service or selector and render. Anyone who may
not see a workspace page gets a 404, as if the conference had no such page; anonymous users
are sent to the login page first. Times are shown and entered in the conference's time zone.
"""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from expo.accounts.models import User
from expo.conferences.models import Conference, Track
from expo.proposals.models import Proposal, ProposalState
from reviews.conflicts import conflicted_proposal_ids
from scheduling import exports, selectors, services
from scheduling.forms import (
    BreakForm,
    CompareForm,
    GridEditForm,
    PreferenceForm,
    PublishForm,
    RoomForm,
    SolveForm,
    TrackChoiceForm,
    TrackWindowForm,
    UnavailabilityFormSet,
    unavailability_inputs,
)
from scheduling.models import (
    Room,
    ScheduleBreak,
    ScheduleVersion,
    SessionPreference,
    SolverStatus,
    TrackWindow,
)
from scheduling.rules import may
from scheduling.selectors import CLASH_RULES
from scheduling.tasks import solve_schedule_later

# What an admin can do about each kind of conflict the solver reports.
CONFLICT_HINTS = {
    "capacity": "Open the track's rooms for longer, add a room, or move proposals to another "
    "track on the tracks page.",
    "windows": "Give the track a room and time windows long enough for the session.",
    "equipment": "Add the equipment to a room of the track, or ask the sponsor whether it is "
    "really needed.",
    "unavailability": "Ask the sponsor whether another speaker can present, or open the track "
    "at another time.",
    "speaker": "Ask the sponsors whether another speaker can give one of these sessions.",
    "organisation": "Open more rooms at the same time in other tracks, or ask the sponsor to "
    "merge sessions.",
    "lock": "Unlock the session in the version you started from, or move it.",
    "pool": "Open the rooms for longer or add a room.",
    "grid": "Session lengths and locked starts must be multiples of 5 minutes.",
    "time": "Solve again; if it keeps happening, unlock some sessions.",
    "input": "Correct the proposal's data, then solve again.",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _conference(request: HttpRequest, slug: str, perm: str) -> Conference:
    conference = get_object_or_404(Conference, slug=slug)
    if not may(request.user, perm, conference):
        raise Http404("No such page.")
    return conference


def _version(conference: Conference, number: int) -> ScheduleVersion:
    version = selectors.schedule_version_get(conference=conference, number=number)
    if version is None:
        raise Http404("No such version.")
    return version


def _workspace(
    request: HttpRequest, template: str, conference: Conference, tab: str, **context: Any
) -> HttpResponse:
    with timezone.override(conference.tzinfo):
        return render(
            request,
            template,
            {
                "conference": conference,
                "tab": tab,
                "may_manage": may(request.user, "scheduling.manage_schedule", conference),
                **context,
            },
        )


def _schedule_url(request: HttpRequest, conference: Conference) -> str:
    return request.build_absolute_uri(reverse("schedule-public", args=[conference.slug]))


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Overview, solving, versions ----------------------------------------------------------------


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.view_schedule_admin")
    versions = selectors.schedule_versions(conference=conference)
    unsorted = conference.proposals.filter(state=ProposalState.ACCEPTED, track__isnull=True).count()
    return _workspace(
        request,
        "scheduling/overview.html",
        conference,
        "overview",
        versions=versions,
        loads=selectors.track_loads(conference=conference),
        unsorted=unsorted,
        solve_form=SolveForm(conference=conference),
        public=selectors.schedule_version_public(conference=conference),
        changes=selectors.schedule_changes(conference=conference, limit=20),
    )


@login_required
@require_POST
def solve(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.manage_schedule")
    form = SolveForm(request.POST, conference=conference)
    if not form.is_valid():
        messages.error(request, "Choose a version of this conference to start from.")
        return redirect("scheduling:overview", conference.slug)
    try:
        version = services.schedule_version_request(
            conference=conference, by=_user(request), based_on=form.cleaned_data["based_on"]
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("scheduling:overview", conference.slug)
    return redirect("scheduling:version", conference.slug, version.number)


def _conflicts(version: ScheduleVersion) -> list[dict[str, str]]:
    return [
        {"message": c.get("message", ""), "hint": CONFLICT_HINTS.get(c.get("kind", ""), "")}
        for c in version.conflicts
    ]


@login_required
@require_GET
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.view_schedule_admin")
    version = _version(conference, number)
    public = selectors.schedule_version_public(conference=conference)
    return _workspace(
        request,
        "scheduling/version.html",
        conference,
        "overview",
        version=version,
        clashes=selectors.version_clashes(version=version),
        conflicts=_conflicts(version),
        session_count=version.sessions.count(),
        is_public=public is not None and public.pk == version.pk,
        public=public,
        publish_form=PublishForm(),
        changes=list(version.changes.select_related("by")),
    )


@login_required
@require_GET
def version_status(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The solver's progress, polled by the version page while the version waits."""
    conference = _conference(request, slug, "scheduling.view_schedule_admin")
    version = _version(conference, number)
    response = _workspace(
        request, "scheduling/_version_status.html", conference, "overview", version=version
    )
    if version.solver_status != SolverStatus.PENDING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # show the result on the whole page
    return response


@login_required
@require_POST
def version_retry(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.manage_schedule")
    version = _version(conference, number)
    if version.solver_status == SolverStatus.PENDING:
        solve_schedule_later(version.pk)  # idempotent: a solved version is left alone
    return redirect("scheduling:version", conference.slug, version.number)


@login_required
@require_POST
def version_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.manage_schedule")
    version = _version(conference, number)
    form = PublishForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.schedule_version_publish(
            version=version,
            by=_user(request),
            schedule_url=_schedule_url(request, conference),
            note=note,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Version {version.number} is now the public schedule.")
    return redirect("scheduling:version", conference.slug, version.number)


@login_required
@require_POST
def version_copy(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.manage_schedule")
    version = _version(conference, number)
    try:
        copy = services.schedule_version_copy(version=version, by=_user(request))
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("scheduling:version", conference.slug, version.number)
    messages.success(request, f"Version {copy.number} is a draft copy of version {number}.")
    return redirect("scheduling:grid", conference.slug, copy.number)


@login_required
@require_GET
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.view_schedule_admin")
    versions = selectors.schedule_versions(conference=conference)
    form = CompareForm(request.GET or None)
    diffs: list[selectors.SessionDiff] | None = None
    pair: tuple[ScheduleVersion, ScheduleVersion] | None = None
    if form.is_valid():
        a = selectors.schedule_version_get(conference=conference, number=form.cleaned_data["a"])
        b = selectors.schedule_version_get(conference=conference, number=form.cleaned_data["b"])
        if a is None or b is None:
            form.add_error(None, "This conference has no such version.")
        else:
            pair = (a, b)
            diffs = selectors.schedule_versions_diff(before=a, after=b)
    changed = [d for d in diffs or [] if d.kind != "same"]
    return _workspace(
        request,
        "scheduling/compare.html",
        conference,
        "compare",
        versions=versions,
        form=form,
        pair=pair,
        changed=changed,
        unchanged=len(diffs or []) - len(changed),
    )


# --- The grid -----------------------------------------------------------------------------------


def _grid_context(
    request: HttpRequest,
    conference: Conference,
    version: ScheduleVersion,
    *,
    day: dt.date | None,
    selected: int | None,
    edit: services.GridEdit | None = None,
    error: str = "",
) -> dict[str, Any]:
    grid = selectors.schedule_grid(version=version, day=day)
    public = selectors.schedule_version_public(conference=conference)
    editable = (
        may(request.user, "scheduling.manage_schedule", conference)
        and version.solver_status != SolverStatus.PENDING
        and (not version.is_published or (public is not None and public.pk == version.pk))
    )
    clash_sessions = {sid for c in grid.clashes for sid in c.sessions}
    return {
        "version": version,
        "grid": grid,
        "editable": editable,
        "selected": selected,
        "edit": edit,
        "error": error,
        "new_clashes": [
            {"rule": CLASH_RULES.get(c.kind, c.kind), "kind": c.kind, "message": c.message}
            for c in (edit.new_clashes if edit else ())
        ],
        "clashes": [
            {"rule": CLASH_RULES.get(c.kind, c.kind), "kind": c.kind, "message": c.message}
            for c in grid.clashes
        ],
        "clash_count": len(clash_sessions),
    }


@login_required
@require_GET
def grid(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.view_schedule_admin")
    version = _version(conference, number)
    day = _parse_day(request.GET.get("day"))
    selected = _parse_int(request.GET.get("selected"))
    context = _grid_context(request, conference, version, day=day, selected=selected)
    return _workspace(request, "scheduling/grid.html", conference, "grid", **context)


def _parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_POST
def grid_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Move, swap, lock or unlock; htmx gets the updated grid with the rules now broken."""
    conference = _conference(request, slug, "scheduling.manage_schedule")
    version = _version(conference, number)
    form = GridEditForm(request.POST)
    edit: services.GridEdit | None = None
    error = ""
    selected = _parse_int(request.POST.get("session"))
    day = _parse_day(request.POST.get("day"))
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        data = form.cleaned_data
        by = _user(request)
        try:
            if data["action"] == "to":
                room_id, start = data["to"]
                edit = services.scheduled_session_move(
                    version=version,
                    session_id=data["session"],
                    room_id=room_id,
                    starts_at=start,
                    by=by,
                    reason=data["reason"],
                    schedule_url=_schedule_url(request, conference),
                )
            elif data["action"] == "swap":
                edit = services.scheduled_sessions_swap(
                    version=version,
                    first_id=data["session"],
                    second_id=data["swap"],
                    by=by,
                    reason=data["reason"],
                    schedule_url=_schedule_url(request, conference),
                )
            else:
                pk = data[data["action"]]
                session = services.scheduled_session_lock(
                    version=version, session_id=pk, locked=data["action"] == "lock"
                )
                state = (
                    "locked: solving again from this version keeps it there"
                    if (session.locked)
                    else "unlocked"
                )
                edit = services.GridEdit(
                    True, f"“{session.proposal.title}” is {state}.", (), (session.pk,)
                )
                selected = session.pk
        except ValidationError as exc:
            error = _error_text(exc)
    version.refresh_from_db()
    if request.headers.get("HX-Request"):
        context = _grid_context(
            request, conference, version, day=day, selected=selected, edit=edit, error=error
        )
        return _workspace(request, "scheduling/_grid.html", conference, "grid", **context)
    # Without htmx: show the outcome as messages on the grid page (post/redirect/get).
    if error:
        messages.error(request, error)
    elif edit is not None:
        (messages.success if edit.applied else messages.error)(request, edit.message)
        for clash in edit.new_clashes:
            messages.warning(request, f"{CLASH_RULES.get(clash.kind, clash.kind)}: {clash.message}")
    url = reverse("scheduling:grid", args=[conference.slug, version.number])
    query = [f"day={day.isoformat()}" if day else "", f"selected={selected}" if selected else ""]
    query = [q for q in query if q]
    return redirect(url + ("?" + "&".join(query) if query else ""))


# --- Venue: rooms, windows, breaks ----------------------------------------------------------


VENUE_FORMS: dict[str, Callable[..., Any]] = {
    "room": RoomForm,
    "window": TrackWindowForm,
    "break": BreakForm,
}
VENUE_MODELS: dict[str, Any] = {"room": Room, "window": TrackWindow, "break": ScheduleBreak}


@login_required
@require_http_methods(["GET", "POST"])
def venue(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.view_schedule_admin")
    forms = {name: cls(conference=conference, prefix=name) for name, cls in VENUE_FORMS.items()}
    with timezone.override(conference.tzinfo):
        if request.method == "POST":
            if not may(request.user, "scheduling.manage_schedule", conference):
                raise PermissionDenied("Only admins change the venue.")
            if "delete" in request.POST:
                return _venue_delete(request, conference)
            kind = request.POST.get("form", "")
            if kind not in VENUE_FORMS:
                messages.error(request, "Unknown form.")
                return redirect("scheduling:venue", conference.slug)
            form = VENUE_FORMS[kind](request.POST, conference=conference, prefix=kind)
            if form.is_valid():
                form.save()
                messages.success(request, f"Added {form.instance}.")
                return redirect("scheduling:venue", conference.slug)
            forms[kind] = form
    rooms = list(Room.objects.filter(conference=conference).prefetch_related("windows__track"))
    breaks = list(ScheduleBreak.objects.filter(conference=conference).select_related("track"))
    return _workspace(
        request,
        "scheduling/venue.html",
        conference,
        "venue",
        forms=forms,
        rooms=rooms,
        breaks=breaks,
        loads=selectors.track_loads(conference=conference),
    )


def _venue_delete(request: HttpRequest, conference: Conference) -> HttpResponse:
    kind, _, raw = request.POST.get("delete", "").partition(":")
    model = VENUE_MODELS.get(kind)
    pk = _parse_int(raw)
    if model is None or pk is None:
        raise Http404("Nothing to delete.")
    lookup = "track__conference" if kind == "window" else "conference"
    item = get_object_or_404(model, pk=pk, **{lookup: conference})
    try:
        item.delete()
    except ProtectedError:
        messages.error(
            request,
            f"{item} holds sessions of a schedule version; delete or change those first.",
        )
    else:
        messages.success(request, f"Deleted {item}.")
    return redirect("scheduling:venue", conference.slug)


# --- Tracks ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tracks(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.view_schedule_admin")
    if request.method == "POST":
        if not may(request.user, "scheduling.manage_schedule", conference):
            raise PermissionDenied("Only admins sort proposals into tracks.")
        count = services.tracks_sort_automatically(conference=conference)
        messages.success(
            request, f"Sorted {count} proposal(s) automatically; chairs' choices were kept."
        )
        return redirect("scheduling:tracks", conference.slug)
    proposals = selectors.track_sorting_rows(conference=conference)
    if not request.user.is_superuser:
        hidden = conflicted_proposal_ids(user=_user(request), conference=conference)
        proposals = [p for p in proposals if p.pk not in hidden]
    conference_tracks = list(Track.objects.filter(conference=conference))
    forms = {
        p.pk: TrackChoiceForm(proposal=p, tracks=conference_tracks, prefix=f"p{p.pk}")
        for p in proposals
    }
    return _workspace(
        request,
        "scheduling/tracks.html",
        conference,
        "tracks",
        rows=[(p, forms[p.pk]) for p in proposals],
        may_assign=may(request.user, "scheduling.view_schedule_admin", conference),
        loads=selectors.track_loads(conference=conference),
    )


@login_required
@require_POST
def track_choose(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = _conference(request, slug, "scheduling.view_schedule_admin")
    proposal = get_object_or_404(
        Proposal, pk=pk, conference=conference, state=ProposalState.ACCEPTED
    )
    if not may(request.user, "scheduling.assign_track", proposal):
        # A conflicted chair finds no trace of the proposal: the same 404 as a missing one.
        raise Http404("No such proposal.")
    if "release" in request.POST:
        services.track_assignment_release(proposal=proposal)
        messages.success(
            request, f"“{proposal.title}” is sorted automatically again; all tracks were re-sorted."
        )
        return redirect("scheduling:tracks", conference.slug)
    form = TrackChoiceForm(request.POST, proposal=proposal, prefix=f"p{proposal.pk}")
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"“{proposal.title}” was not moved: {errors}")
        return redirect("scheduling:tracks", conference.slug)
    try:
        services.track_assignment_override(
            proposal=proposal,
            track=form.cleaned_data["track"],
            by=_user(request),
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, f"“{proposal.title}” was not moved: {_error_text(error)}")
    else:
        messages.success(
            request, f"“{proposal.title}” is in {form.cleaned_data['track'].name} now."
        )
    return redirect("scheduling:tracks", conference.slug)


# --- Sponsors: availability and wishes ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        Proposal.objects.select_related("conference", "organisation").prefetch_related(
            "speakers", "speaker_unavailabilities"
        ),
        pk=pk,
    )
    if not may(request.user, "scheduling.view_availability", proposal):
        raise Http404("No such proposal.")
    conference = proposal.conference
    editable = may(request.user, "scheduling.change_availability", proposal)
    speakers = [(s.email.lower(), f"{s.name} <{s.email}>") for s in proposal.speakers.all()]
    equipment = sorted(
        {e for room in Room.objects.filter(conference=conference) for e in room.equipment}
    )
    preference = SessionPreference.objects.filter(proposal=proposal).first()
    equipment = sorted(set(equipment) | set(preference.equipment if preference else []))
    with timezone.override(conference.tzinfo):
        kwargs: dict[str, Any] = {"form_kwargs": {"conference": conference, "speakers": speakers}}
        if request.method == "POST":
            if not editable:
                raise PermissionDenied("This proposal can no longer be scheduled.")
            form = PreferenceForm(request.POST, equipment=equipment)
            formset = UnavailabilityFormSet(request.POST, prefix="away", **kwargs)
            if form.is_valid() and formset.is_valid():
                try:
                    services.proposal_availability_save(
                        proposal=proposal,
                        by=_user(request),
                        half_day=form.cleaned_data["half_day"],
                        equipment=form.cleaned_data.get("equipment", []),
                        unavailabilities=unavailability_inputs(formset),
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, "Saved. The chairs will take it into account.")
                    return redirect("scheduling:availability", proposal.pk)
        else:
            form = PreferenceForm(
                initial={
                    "half_day": preference.half_day if preference else "",
                    "equipment": preference.equipment if preference else [],
                },
                equipment=equipment,
            )
            formset = UnavailabilityFormSet(
                prefix="away",
                initial=[
                    {
                        "email": u.email.lower(),
                        "starts_at": u.starts_at,
                        "ends_at": u.ends_at,
                        "note": u.note,
                    }
                    for u in proposal.speaker_unavailabilities.all()
                ],
                **kwargs,
            )
        first, last = services.conference_span(conference)
        return render(
            request,
            "scheduling/availability.html",
            {
                "proposal": proposal,
                "conference": conference,
                "form": form,
                "formset": formset,
                "editable": editable,
                "published": selectors.schedule_version_public(conference=conference),
                "first_day": first,
                "last_day": last,
            },
        )


# --- The public schedule and its exports -------------------------------------------------------


def _public_version(conference: Conference) -> ScheduleVersion:
    version = selectors.schedule_version_public(conference=conference)
    if version is None:
        raise Http404("The schedule is not published yet.")
    return version


@require_GET
def public_schedule(request: HttpRequest, slug: str, track_pk: int | None = None) -> HttpResponse:
    conference = get_object_or_404(Conference, slug=slug)
    version = selectors.schedule_version_public(conference=conference)
    if version is None:
        with timezone.override(conference.tzinfo):
            response = render(
                request, "scheduling/public_unpublished.html", {"conference": conference}
            )
        response.status_code = 404
        return response
    track = None
    if track_pk is not None:
        track = get_object_or_404(Track, pk=track_pk, conference=conference)
    programme = selectors.public_programme(version=version, track=track)
    with timezone.override(conference.tzinfo):
        return render(
            request,
            "scheduling/public_schedule.html",
            {
                "conference": conference,
                "version": version,
                "track": track,
                "programme": programme,
                "all_tracks": list(Track.objects.filter(conference=conference)),
            },
        )


@require_GET
def public_session(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = get_object_or_404(Conference, slug=slug)
    version = _public_version(conference)
    session = (
        version.sessions.select_related("proposal__organisation", "room", "track")
        .prefetch_related("proposal__speakers", "proposal__topics")
        .filter(proposal_id=pk)
        .first()
    )
    if session is None:
        raise Http404("No such session on the schedule.")
    with timezone.override(conference.tzinfo):
        return render(
            request,
            "scheduling/public_session.html",
            {"conference": conference, "version": version, "session": session},
        )


def _export(request: HttpRequest, slug: str) -> exports.ExportSchedule:
    conference = get_object_or_404(Conference, slug=slug)
    version = _public_version(conference)
    return selectors.schedule_export(
        version=version,
        site_url=request.build_absolute_uri("/"),
        schedule_url=_schedule_url(request, conference),
        session_url=lambda p: request.build_absolute_uri(
            reverse("schedule-session", args=[conference.slug, p.pk])
        ),
    )


@require_GET
def export_xml(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(
        exports.schedule_xml(_export(request, slug)), content_type="application/xml"
    )


@require_GET
def export_json(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(
        json.dumps(exports.schedule_json(_export(request, slug)), ensure_ascii=False, indent=1),
        content_type="application/json",
    )


@require_GET
def export_ics(request: HttpRequest, slug: str) -> HttpResponse:
    response = HttpResponse(
        exports.schedule_ics(_export(request, slug)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{slug}-expo.ics"'
    return response
