"""Writes for scheduling: sort proposals into tracks, solve a conference's schedule into a
new draft version, edit a version by hand, publish it, log and announce changes to the
public schedule, and store sponsors' availability. Permission checks belong to the caller
(views ask the rules table), except for the sponsor-facing write, which asks it itself."""

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from expo.accounts.models import User
from expo.conferences.models import Conference, Track
from expo.proposals.models import Proposal, ProposalState
from scheduling import selectors, solver
from scheduling.models import (
    HalfDay,
    Room,
    ScheduleChange,
    ScheduleChangeKind,
    ScheduledSession,
    ScheduleState,
    ScheduleVersion,
    SessionPreference,
    SolverStatus,
    SpeakerUnavailability,
    TrackAssignment,
)
from scheduling.rules import may


def _unsorted_check(conference: Conference) -> None:
    unsorted = conference.proposals.filter(state=ProposalState.ACCEPTED, track__isnull=True)
    titles = sorted(unsorted.values_list("title", flat=True))
    if titles:
        raise ValidationError(
            f"{len(titles)} accepted proposal(s) have no track yet: "
            + "; ".join(f"“{t}”" for t in titles[:5])
            + (" …" if len(titles) > 5 else "")
            + ". Sort them into tracks first."
        )


def _version_create(
    *, conference: Conference, by: User | None, based_on: ScheduleVersion | None, **fields: Any
) -> ScheduleVersion:
    """A new version with the next number; call inside a transaction."""
    # Lock the conference row so two requests cannot take the same version number.
    Conference.objects.select_for_update().filter(pk=conference.pk).first()
    number = (
        ScheduleVersion.objects.filter(conference=conference).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    return ScheduleVersion.objects.create(
        conference=conference, number=number, based_on=based_on, created_by=by, **fields
    )


def schedule_version_request(
    *,
    conference: Conference,
    by: User,
    based_on: ScheduleVersion | None = None,
    enqueue: bool = True,
) -> ScheduleVersion:
    """Create a draft version waiting for the solver and, after commit, hand it to the
    ``solve_schedule`` task. Sessions locked in ``based_on`` will stay put."""
    if based_on is not None and based_on.conference_id != conference.pk:
        raise ValidationError("That schedule version belongs to another conference.")
    _unsorted_check(conference)
    with transaction.atomic():
        version = _version_create(
            conference=conference,
            by=by,
            based_on=based_on,
            solver_status=SolverStatus.PENDING,
        )
        if enqueue:
            from scheduling.tasks import solve_schedule_later  # tasks import services

            transaction.on_commit(partial(solve_schedule_later, version.pk))
    return version


def schedule_version_fill(*, version_id: int, time_limit_seconds: float = 10.0) -> bool:
    """Solve a version that waits for the solver; True if this call stored the result.

    Idempotent: a version already solved (by an earlier delivery of the same task) is left
    alone, and the result is stored only if the version still waits when the solve ends.
    """
    version = (
        ScheduleVersion.objects.select_related("conference", "based_on")
        .filter(pk=version_id, solver_status=SolverStatus.PENDING)
        .first()
    )
    if version is None:
        return False
    conference = version.conference
    problem = selectors.solver_problem(conference=conference, locked_from=version.based_on)
    try:
        solution = solver.schedule_solve(problem, time_limit_seconds=time_limit_seconds)
    except solver.ProblemError as error:
        # Bad data (a session without speakers, say): an admin fixes it, so say it like a
        # conflict rather than failing the task.
        solution = solver.Solution(
            solver.SolveStatus.INFEASIBLE,
            (),
            None,
            None,
            0.0,
            None,
            (solver.Conflict("input", str(error)),),
        )
    track_of = {s.id: int(s.track) for s in problem.sessions}
    with transaction.atomic():
        waiting = (
            ScheduleVersion.objects.select_for_update()
            .filter(pk=version_id, solver_status=SolverStatus.PENDING)
            .first()
        )
        if waiting is None:  # another delivery of the task stored its result meanwhile
            return False
        score = solution.score
        waiting.solver_status = SolverStatus(solution.status.value)
        waiting.objective = solution.objective
        waiting.best_bound = solution.best_bound
        waiting.solve_seconds = round(solution.wall_seconds, 3)
        waiting.grid_minutes = solution.grid_minutes
        waiting.topic_overlap_minutes = score.topic_overlap_minutes if score else None
        waiting.missed_preferences = len(score.missed_preferences) if score else None
        waiting.conflicts = [dataclasses.asdict(c) for c in solution.conflicts]
        waiting.save()
        ScheduledSession.objects.filter(version=waiting).delete()
        ScheduledSession.objects.bulk_create(
            ScheduledSession(
                version=waiting,
                proposal_id=int(p.session),
                track_id=track_of[p.session],
                room_id=selectors.solver_room_pk(p.room),
                starts_at=p.start,
                ends_at=p.end,
                locked=p.locked,
            )
            for p in solution.placements
        )
    return True


def schedule_version_solve(
    *,
    conference: Conference,
    by: User,
    based_on: ScheduleVersion | None = None,
    time_limit_seconds: float = 10.0,
) -> ScheduleVersion:
    """Solve the schedule into a new draft version now; sessions locked in ``based_on`` stay put.

    An unsolvable problem still gives a version: with no sessions and the conflicting rules
    as sentences in ``conflicts``. Web requests use ``schedule_version_request`` instead, which
    leaves the solving to a Celery task.
    """
    version = schedule_version_request(
        conference=conference, by=by, based_on=based_on, enqueue=False
    )
    schedule_version_fill(version_id=version.pk, time_limit_seconds=time_limit_seconds)
    version.refresh_from_db()
    return version


def schedule_version_publish(
    *, version: ScheduleVersion, by: User, schedule_url: str = "", note: str = ""
) -> ScheduleVersion:
    """Publish a draft, which must place every accepted proposal without a clash.

    When another version was public before, every session this one places differently is
    logged as a ``ScheduleChange`` and its sponsor is e-mailed (``schedule_url`` is the
    absolute address of the public schedule, for the e-mail; ``note`` says why, for both).
    """
    if version.state != ScheduleState.DRAFT:
        raise ValidationError("Only a draft can be published; this version is already public.")
    if version.solver_status == SolverStatus.PENDING:
        raise ValidationError("This version is still waiting for the solver.")
    problem = selectors.solver_problem(conference=version.conference)
    placements = selectors.version_placements(version=version)
    messages = [
        f"“{title}” is no longer accepted."
        for title in version.sessions.exclude(proposal__state=ProposalState.ACCEPTED)
        .order_by("proposal__title")
        .values_list("proposal__title", flat=True)
    ]
    messages += [
        f"“{title}” is accepted but has no track."
        for title in version.conference.proposals.filter(
            state=ProposalState.ACCEPTED, track__isnull=True
        )
        .order_by("title")
        .values_list("title", flat=True)
    ]
    messages += [c.message for c in solver.schedule_clashes(problem, placements)]
    if messages:
        shown = " ".join(messages[:5])
        more = f" (and {len(messages) - 5} more)" if len(messages) > 5 else ""
        raise ValidationError(f"This version cannot be published: {shown}{more}")
    with transaction.atomic():
        previous = selectors.schedule_version_public(conference=version.conference)
        updated = ScheduleVersion.objects.filter(pk=version.pk, state=ScheduleState.DRAFT).update(
            state=ScheduleState.PUBLISHED, published_at=timezone.now(), published_by=by
        )
        if not updated:  # published by someone else meanwhile
            raise ValidationError("This version was published meanwhile.")
        version.refresh_from_db()
        if previous is not None:
            changes = [
                _change(version=version, diff=diff, by=by, reason=note)
                for diff in selectors.schedule_versions_diff(before=previous, after=version)
                if diff.kind != "same"
            ]
            created = ScheduleChange.objects.bulk_create(changes)
            schedule_changes_notify(changes=created, by=by, schedule_url=schedule_url)
    return version


# --- Changes to the public schedule -------------------------------------------------------------


def _change(
    *, version: ScheduleVersion, diff: selectors.SessionDiff, by: User | None, reason: str
) -> ScheduleChange:
    kind = (
        ScheduleChangeKind.ADDED
        if diff.before is None
        else ScheduleChangeKind.REMOVED
        if diff.after is None
        else ScheduleChangeKind.MOVED
    )
    return ScheduleChange(
        conference_id=version.conference_id,
        version=version,
        proposal_id=diff.proposal_id,
        title=diff.title,
        kind=kind,
        room_before=diff.before.room if diff.before else "",
        starts_before=diff.before.start if diff.before else None,
        ends_before=diff.before.end if diff.before else None,
        room_after=diff.after.room if diff.after else "",
        starts_after=diff.after.start if diff.after else None,
        ends_after=diff.after.end if diff.after else None,
        reason=reason,
        by=by,
    )


def _place_text(conference: Conference, room: str, start: dt.datetime | None, end: Any) -> str:
    if start is None or end is None:
        return "not on the schedule"
    return f"{solver.span_text(start, end, conference.tzinfo)} ({conference.timezone}), {room}"


def schedule_change_message(
    *, change: ScheduleChange, conference: Conference, schedule_url: str
) -> tuple[str, str]:
    """The subject and body of the e-mail that tells a sponsor about ``change``."""
    title = change.title
    if change.kind == ScheduleChangeKind.ADDED:
        subject = f"{conference.name}: “{title}” is now on the Expo schedule"
        what = "is now on the Expo schedule"
    elif change.kind == ScheduleChangeKind.REMOVED:
        subject = f"{conference.name}: “{title}” was taken off the Expo schedule"
        what = "was taken off the Expo schedule"
    else:
        subject = f"{conference.name}: “{title}” has moved"
        what = "has moved"
    lines = [
        "Hello,",
        "",
        f"Your session “{title}” {what}.",
        "",
        "Before: "
        + _place_text(conference, change.room_before, change.starts_before, change.ends_before),
        "Now:    "
        + _place_text(conference, change.room_after, change.starts_after, change.ends_after),
    ]
    if change.reason:
        lines += ["", f"Why: {change.reason}"]
    if schedule_url:
        lines += ["", f"The current schedule: {schedule_url}"]
    lines += [
        "",
        "If the new time does not work for your speakers, please reply to this e-mail.",
        "",
        f"The {conference.name} Expo chairs",
    ]
    return " ".join(subject.split()), "\n".join(lines)


def schedule_changes_notify(
    *, changes: Sequence[ScheduleChange], by: User | None, schedule_url: str = ""
) -> int:
    """Queue one e-mail per change to the members of the proposal's organisation, through the
    review app's outbox (idempotency key ``schedule-change:<pk>``, so a change is announced
    once); each is sent after commit. Returns how many were queued now."""
    from reviews.models import OutboxMessage
    from reviews.selectors import sponsor_recipients
    from reviews.tasks import outbox_send_later

    with_proposal = [c for c in changes if c.proposal_id is not None]
    if not with_proposal:
        return 0
    proposals = {
        p.pk: p
        for p in Proposal.objects.filter(
            pk__in=[c.proposal_id for c in with_proposal]
        ).select_related("conference")
    }
    recipients = sponsor_recipients(proposals=list(proposals.values()))
    queued = []
    for change in with_proposal:
        proposal = proposals.get(change.proposal_id or 0)
        if proposal is None:
            continue
        to = recipients.get(proposal.organisation_id or 0, [])
        if not to:
            continue
        subject, body = schedule_change_message(
            change=change, conference=proposal.conference, schedule_url=schedule_url
        )
        message, created = OutboxMessage.objects.get_or_create(
            idempotency_key=change.notification_key,
            defaults={
                "conference": proposal.conference,
                "proposal": proposal,
                "recipients": to,
                "subject": subject,
                "body": body,
                "created_by": by,
            },
        )
        if created:
            queued.append(message.pk)
    for pk in queued:
        transaction.on_commit(partial(outbox_send_later, pk))
    return len(queued)


# --- Editing a version by hand (the grid) -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GridEdit:
    applied: bool
    message: str  # what was done, or why not
    new_clashes: tuple[solver.Conflict, ...]  # rules this edit breaks that held before
    sessions: tuple[int, ...]  # the ScheduledSession pks the edit touched


def _check_editable(version: ScheduleVersion) -> None:
    if version.solver_status == SolverStatus.PENDING:
        raise ValidationError("This version is still waiting for the solver.")
    if version.is_published:
        public = selectors.schedule_version_public(conference=version.conference)
        if public is not None and public.pk != version.pk:
            raise ValidationError(
                f"Version {version.number} is no longer the public schedule (version "
                f"{public.number} is); change that one or a draft."
            )


def _plus_minutes(moment: dt.datetime, minutes: float) -> dt.datetime:
    # In UTC, so that a daylight-saving change does not stretch or shrink a session.
    return (moment.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)).astimezone(moment.tzinfo)


def _placements(sessions: Sequence[ScheduledSession]) -> list[solver.ScheduledSession]:
    return [
        solver.ScheduledSession(
            str(s.proposal_id),
            selectors.solver_room_id(room_id=s.room_id, track_id=s.track_id),
            s.starts_at,
            s.ends_at,
            s.locked,
        )
        for s in sessions
    ]


def _where(session: ScheduledSession, conference: Conference) -> str:
    return (
        f"{session.room.name}, "
        f"{solver.span_text(session.starts_at, session.ends_at, conference.tzinfo)}"
    )


def _sessions_place(
    *,
    version: ScheduleVersion,
    moves: Mapping[int, tuple[int, dt.datetime]],
    by: User,
    reason: str,
    schedule_url: str,
    done: str,
) -> GridEdit:
    """Put each session ``pk`` of ``moves`` in (room pk, start), keeping its length.

    A draft takes any change and reports the rules it breaks. The public version takes only
    changes that break no rule; each one is logged and its sponsor e-mailed.
    """
    with transaction.atomic():
        # Serialises edits of one version, so two admins cannot interleave half-moves.
        locked = (
            ScheduleVersion.objects.select_for_update()
            .select_related("conference")
            .get(pk=version.pk)
        )
        _check_editable(locked)
        conference = locked.conference
        sessions = list(locked.sessions.select_related("room", "track", "proposal"))
        by_pk = {s.pk: s for s in sessions}
        missing = [pk for pk in moves if pk not in by_pk]
        if missing:
            raise ValidationError("That session is not in this version (any more).")
        problem = selectors.solver_problem(conference=conference)
        served = {r.id for r in problem.rooms}
        rooms = {r.pk: r for r in Room.objects.filter(pk__in=[m[0] for m in moves.values()])}
        for pk, (room_pk, _start) in moves.items():
            room = rooms.get(room_pk)
            session = by_pk[pk]
            if room is None or room.conference_id != conference.pk:
                raise ValidationError("That room does not belong to this conference.")
            if selectors.solver_room_id(room_id=room.pk, track_id=session.track_id) not in served:
                raise ValidationError(
                    f"{room.name} has no time window for {session.track.name}, the track of "
                    f"“{session.proposal.title}”; change its track on the tracks page first."
                )
        before = {c.message for c in solver.schedule_clashes(problem, _placements(sessions))}
        old = {pk: (by_pk[pk].room, by_pk[pk].starts_at, by_pk[pk].ends_at) for pk in moves}
        for pk, (room_pk, start) in moves.items():
            session = by_pk[pk]
            length = (session.ends_at - session.starts_at).total_seconds() / 60
            session.room = rooms[room_pk]
            session.starts_at = start
            session.ends_at = _plus_minutes(start, length)
        after = solver.schedule_clashes(problem, _placements(sessions))
        new = tuple(c for c in after if c.message not in before)
        if locked.is_published and new:
            return GridEdit(
                False,
                "Nothing was changed: the public schedule must stay free of clashes, and this "
                "change would break the rules below. Make a draft copy to try it out.",
                new,
                tuple(moves),
            )
        changed = [
            by_pk[pk]
            for pk in moves
            if (by_pk[pk].room, by_pk[pk].starts_at, by_pk[pk].ends_at) != old[pk]
        ]
        ScheduledSession.objects.bulk_update(changed, ["room", "starts_at", "ends_at"])
        score = solver.schedule_score(problem, _placements(sessions))
        locked.solver_status = SolverStatus.MANUAL
        locked.objective = score.objective
        locked.topic_overlap_minutes = score.topic_overlap_minutes
        locked.missed_preferences = len(score.missed_preferences)
        locked.save(
            update_fields=[
                "solver_status",
                "objective",
                "topic_overlap_minutes",
                "missed_preferences",
            ]
        )
        if locked.is_published and changed:
            records = ScheduleChange.objects.bulk_create(
                ScheduleChange(
                    conference=conference,
                    version=locked,
                    proposal_id=s.proposal_id,
                    title=s.proposal.title,
                    kind=ScheduleChangeKind.MOVED,
                    room_before=old[s.pk][0].name,
                    starts_before=old[s.pk][1],
                    ends_before=old[s.pk][2],
                    room_after=s.room.name,
                    starts_after=s.starts_at,
                    ends_after=s.ends_at,
                    reason=reason.strip(),
                    by=by,
                )
                for s in changed
            )
            schedule_changes_notify(changes=records, by=by, schedule_url=schedule_url)
    if not changed:
        return GridEdit(True, "Nothing changed: that is where it is already.", (), ())
    message = done + (
        " Logged and announced to the sponsor by e-mail." if locked.is_published else ""
    )
    return GridEdit(True, message, new, tuple(s.pk for s in changed))


def scheduled_session_move(
    *,
    version: ScheduleVersion,
    session_id: int,
    room_id: int,
    starts_at: dt.datetime,
    by: User,
    reason: str = "",
    schedule_url: str = "",
) -> GridEdit:
    """Move one session to a room and start time (it keeps its length)."""
    session = version.sessions.select_related("proposal").filter(pk=session_id).first()
    if session is None:
        raise ValidationError("That session is not in this version (any more).")
    room = Room.objects.filter(pk=room_id, conference_id=version.conference_id).first()
    if room is None:
        raise ValidationError("That room does not belong to this conference.")
    tz = version.conference.tzinfo
    local = starts_at.astimezone(tz)
    done = (
        f"Moved “{session.proposal.title}” to {room.name}, {local:%a} {local.day} {local:%b %H:%M}."
    )
    return _sessions_place(
        version=version,
        moves={session.pk: (room.pk, starts_at)},
        by=by,
        reason=reason,
        schedule_url=schedule_url,
        done=done,
    )


def scheduled_sessions_swap(
    *,
    version: ScheduleVersion,
    first_id: int,
    second_id: int,
    by: User,
    reason: str = "",
    schedule_url: str = "",
) -> GridEdit:
    """Let two sessions of one track trade rooms and start times."""
    if first_id == second_id:
        raise ValidationError("Choose two different sessions to swap.")
    pair = {
        s.pk: s
        for s in version.sessions.select_related("proposal", "track").filter(
            pk__in=[first_id, second_id]
        )
    }
    if len(pair) != 2:
        raise ValidationError("That session is not in this version (any more).")
    a, b = pair[first_id], pair[second_id]
    if a.track_id != b.track_id:
        raise ValidationError(
            f"“{a.proposal.title}” ({a.track.name}) and “{b.proposal.title}” ({b.track.name}) "
            "are in different tracks; only sessions of one track can swap places."
        )
    return _sessions_place(
        version=version,
        moves={a.pk: (b.room_id, b.starts_at), b.pk: (a.room_id, a.starts_at)},
        by=by,
        reason=reason,
        schedule_url=schedule_url,
        done=f"Swapped “{a.proposal.title}” and “{b.proposal.title}”.",
    )


def scheduled_session_lock(
    *, version: ScheduleVersion, session_id: int, locked: bool
) -> ScheduledSession:
    """Lock a session where it is (solving again from this version keeps it), or unlock it."""
    if version.solver_status == SolverStatus.PENDING:
        raise ValidationError("This version is still waiting for the solver.")
    session = version.sessions.select_related("proposal").filter(pk=session_id).first()
    if session is None:
        raise ValidationError("That session is not in this version (any more).")
    if session.locked != locked:
        session.locked = locked
        session.save(update_fields=["locked"])
    return session


def schedule_version_copy(*, version: ScheduleVersion, by: User) -> ScheduleVersion:
    """A new draft with the same sessions and locks, to change without touching ``version``."""
    if version.solver_status == SolverStatus.PENDING:
        raise ValidationError("This version is still waiting for the solver.")
    with transaction.atomic():
        copy = _version_create(
            conference=version.conference,
            by=by,
            based_on=version,
            solver_status=SolverStatus.MANUAL,
            objective=version.objective,
            best_bound=version.best_bound,
            grid_minutes=version.grid_minutes,
            topic_overlap_minutes=version.topic_overlap_minutes,
            missed_preferences=version.missed_preferences,
            note=f"Copy of version {version.number}.",
        )
        ScheduledSession.objects.bulk_create(
            ScheduledSession(
                version=copy,
                proposal_id=s.proposal_id,
                track_id=s.track_id,
                room_id=s.room_id,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                locked=s.locked,
            )
            for s in version.sessions.all()
        )
    return copy


# --- Sorting proposals into tracks --------------------------------------------------------------


def tracks_sort_automatically(*, conference: Conference) -> int:
    """Give every accepted proposal the sorter's track and reason, except those a chair
    chose (they keep their track and shape the split of the others). Returns how many
    proposals were sorted."""
    overrides = dict(
        TrackAssignment.objects.filter(
            proposal__conference=conference,
            proposal__state=ProposalState.ACCEPTED,
            automatic=False,
        ).values_list("proposal_id", "track_id")
    )
    suggestions = selectors.track_suggestions(conference=conference, fixed=overrides)
    automatic = [s for s in suggestions if int(s.proposal) not in overrides and s.track is not None]
    with transaction.atomic():
        by_track: dict[int, list[int]] = {}
        for s in automatic:
            by_track.setdefault(int(s.track or 0), []).append(int(s.proposal))
        for track_id, ids in by_track.items():
            Proposal.objects.filter(pk__in=ids).update(track_id=track_id)
        TrackAssignment.objects.bulk_create(
            [
                TrackAssignment(
                    proposal_id=int(s.proposal),
                    track_id=int(s.track or 0),
                    automatic=True,
                    reason=s.reason,
                    suggested_track_id=int(s.track or 0),
                    suggested_reason=s.reason,
                    chosen_by=None,
                    updated_at=timezone.now(),
                )
                for s in automatic
            ],
            update_conflicts=True,
            unique_fields=["proposal"],
            update_fields=[
                "track",
                "automatic",
                "reason",
                "suggested_track",
                "suggested_reason",
                "chosen_by",
                "updated_at",
            ],
        )
    return len(automatic)


def track_assignment_override(
    *, proposal: Proposal, track: Track, by: User, reason: str
) -> TrackAssignment:
    """A chair puts ``proposal`` in ``track`` and says why; automatic sorting keeps it there."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so that other chairs can follow the choice."})
    if proposal.state != ProposalState.ACCEPTED:
        raise ValidationError("Only accepted proposals are sorted into tracks.")
    if track.conference_id != proposal.conference_id:
        raise ValidationError({"track": "That track belongs to another conference."})
    if track.format != proposal.format:
        raise ValidationError(
            {
                "track": f"{track.name} holds {track.get_format_display().lower()} sessions; "
                f"this proposal is a {proposal.get_format_display().lower()}."
            }
        )
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(track=track)
        assignment, _ = TrackAssignment.objects.update_or_create(
            proposal=proposal,
            defaults={"track": track, "automatic": False, "reason": reason, "chosen_by": by},
        )
    proposal.track = track
    return assignment


def track_assignment_release(*, proposal: Proposal) -> int:
    """Hand ``proposal`` back to automatic sorting and sort the conference again (the split of
    the workshops depends on every proposal). Returns how many proposals were sorted."""
    TrackAssignment.objects.filter(proposal=proposal, automatic=False).update(automatic=True)
    return tracks_sort_automatically(conference=proposal.conference)


# --- Sponsors' availability and wishes -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class UnavailabilityInput:
    email: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    note: str = ""


def conference_span(conference: Conference) -> tuple[dt.datetime, dt.datetime]:
    """From the first day's midnight to the last day's end, in the venue's time zone."""
    tz = conference.tzinfo
    start = dt.datetime.combine(conference.starts_on, dt.time(0, 0), tz)
    end = dt.datetime.combine(conference.ends_on + dt.timedelta(days=1), dt.time(0, 0), tz)
    return start, end


def unavailability_problems(
    *, conference: Conference, speakers: Sequence[str], item: UnavailabilityInput
) -> dict[str, str]:
    """What is wrong with one unavailability, by field name (empty when it is fine)."""
    problems: dict[str, str] = {}
    if item.email.strip().casefold() not in {e.strip().casefold() for e in speakers}:
        problems["email"] = "This address is not one of the proposal's speakers."
    if item.ends_at <= item.starts_at:
        problems["ends_at"] = "The end must come after the start."
    first, last = conference_span(conference)
    if item.starts_at < first or item.ends_at > last:
        days = (
            f"{conference.starts_on:%-d %b} – {conference.ends_on:%-d %b %Y} "
            f"({conference.timezone})"
        )
        problems["starts_at" if item.starts_at < first else "ends_at"] = (
            f"Give a time during the conference: {days}."
        )
    return problems


def proposal_availability_save(
    *,
    proposal: Proposal,
    by: User,
    half_day: str,
    equipment: Sequence[str],
    unavailabilities: Sequence[UnavailabilityInput],
) -> None:
    """Replace the proposal's speaker unavailabilities and timing wishes."""
    if not may(by, "scheduling.change_availability", proposal):
        raise PermissionDenied("You cannot change this proposal's availability.")
    if half_day not in {"", *HalfDay.values}:
        raise ValidationError({"half_day": "Choose morning, afternoon or no preference."})
    words = [w.strip() for w in equipment if w.strip()]
    speakers = list(proposal.speakers.values_list("email", flat=True))
    errors = [
        f"{item.email}: {message}"
        for item in unavailabilities
        for message in unavailability_problems(
            conference=proposal.conference, speakers=speakers, item=item
        ).values()
    ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        SessionPreference.objects.update_or_create(
            proposal=proposal, defaults={"half_day": half_day, "equipment": words}
        )
        SpeakerUnavailability.objects.filter(proposal=proposal).delete()
        SpeakerUnavailability.objects.bulk_create(
            SpeakerUnavailability(
                proposal=proposal,
                email=item.email.strip().lower(),
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                note=item.note.strip(),
            )
            for item in unavailabilities
        )
