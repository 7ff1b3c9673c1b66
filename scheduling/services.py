"""Writes for scheduling: solve a conference's schedule into a new draft version, publish a
version. Permission checks belong to the caller (views ask the rules table)."""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.proposals.models import ProposalState
from scheduling import selectors, solver
from scheduling.models import ScheduledSession, ScheduleState, ScheduleVersion, SolverStatus


def schedule_version_solve(
    *,
    conference: Conference,
    by: User,
    based_on: ScheduleVersion | None = None,
    time_limit_seconds: float = 10.0,
) -> ScheduleVersion:
    """Solve the schedule into a new draft version; sessions locked in ``based_on`` stay put.

    An unsolvable problem still gives a version: with no sessions and the conflicting rules
    as sentences in ``conflicts``. The solve runs outside the transaction (it may take
    seconds); call it from a Celery task in a web request.
    """
    if based_on is not None and based_on.conference_id != conference.pk:
        raise ValidationError("That schedule version belongs to another conference.")
    unsorted = conference.proposals.filter(state=ProposalState.ACCEPTED, track__isnull=True)
    titles = sorted(unsorted.values_list("title", flat=True))
    if titles:
        raise ValidationError(
            f"{len(titles)} accepted proposal(s) have no track yet: "
            + "; ".join(f"“{t}”" for t in titles[:5])
            + (" …" if len(titles) > 5 else "")
            + ". Sort them into tracks first."
        )
    problem = selectors.solver_problem(conference=conference, locked_from=based_on)
    try:
        solution = solver.schedule_solve(problem, time_limit_seconds=time_limit_seconds)
    except solver.ProblemError as error:
        raise ValidationError(str(error)) from error
    track_of = {s.id: int(s.track) for s in problem.sessions}
    with transaction.atomic():
        # Lock the conference row so two solves cannot take the same version number.
        Conference.objects.select_for_update().filter(pk=conference.pk).first()
        number = (
            ScheduleVersion.objects.filter(conference=conference).aggregate(n=Max("number"))["n"]
            or 0
        ) + 1
        score = solution.score
        version = ScheduleVersion.objects.create(
            conference=conference,
            number=number,
            based_on=based_on,
            created_by=by,
            solver_status=SolverStatus(solution.status.value),
            objective=solution.objective,
            best_bound=solution.best_bound,
            solve_seconds=round(solution.wall_seconds, 3),
            grid_minutes=solution.grid_minutes,
            topic_overlap_minutes=score.topic_overlap_minutes if score else None,
            missed_preferences=len(score.missed_preferences) if score else None,
            conflicts=[dataclasses.asdict(c) for c in solution.conflicts],
        )
        ScheduledSession.objects.bulk_create(
            ScheduledSession(
                version=version,
                proposal_id=int(p.session),
                track_id=track_of[p.session],
                room_id=selectors.solver_room_pk(p.room),
                starts_at=p.start,
                ends_at=p.end,
                locked=p.locked,
            )
            for p in solution.placements
        )
    return version


def schedule_version_publish(*, version: ScheduleVersion, by: User) -> ScheduleVersion:
    """Publish a draft, which must place every accepted proposal without a clash."""
    if version.state != ScheduleState.DRAFT:
        raise ValidationError("Only a draft can be published; this version is already public.")
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
        updated = ScheduleVersion.objects.filter(pk=version.pk, state=ScheduleState.DRAFT).update(
            state=ScheduleState.PUBLISHED, published_at=timezone.now(), published_by=by
        )
        if not updated:  # published by someone else meanwhile
            raise ValidationError("This version was published meanwhile.")
    version.refresh_from_db()
    return version
