"""Computing and caching fairness reports.

A cached report is reused while the fingerprint of its input is unchanged; otherwise it is
recomputed — lazily when a page asks (``report_for``), eagerly by the Celery task that runs when
decisions change (``schedule_refresh`` → ``fairness.tasks.refresh_reports``), or on demand from
the dashboard's button (``force``).
"""

import logging
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from expo.accounts.models import User
from expo.conferences.models import Conference
from fairness import report as fairness_report
from fairness.models import FairnessReport
from fairness.report import STAGES, DecisionTable
from fairness.selectors import decision_table, editions_of, hidden_proposal_ids, report_scopes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ViewerScope:
    """What one viewer's figures are computed from."""

    table: DecisionTable
    hidden: frozenset[int]


def viewer_scope(*, user: User, conference: Conference) -> ViewerScope:
    """The decision table and the proposals ``user`` must not see counted."""
    editions = editions_of(conference=conference)
    return ViewerScope(
        table=decision_table(conference=conference, editions=editions),
        hidden=hidden_proposal_ids(user=user, conference=conference, editions=editions),
    )


def report_ensure(
    *,
    conference: Conference,
    table: DecisionTable,
    stage: str,
    hidden: frozenset[int],
    force: bool = False,
) -> tuple[FairnessReport, bool]:
    """The cached report of one stage and scope, recomputed if its input changed (or ``force``).

    Returns the row and whether it was computed now. Idempotent: an unchanged input leaves the
    row as it is; concurrent computations of the same input store one row.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    key = fairness_report.parameters_key(hidden=hidden)
    fingerprint = fairness_report.input_fingerprint(table, stage=stage, hidden=hidden)
    found = FairnessReport.objects.filter(
        conference=conference, stage=stage, parameters_key=key
    ).first()
    if found is not None and found.input_fingerprint == fingerprint and not force:
        return found, False
    started = time.perf_counter()
    data = fairness_report.stage_report(table, stage=stage, hidden=hidden)
    values = {
        "parameters": fairness_report.parameters(hidden=hidden),
        "input_fingerprint": fingerprint,
        "report": data,
        "computed_at": timezone.now(),
        "compute_seconds": round(time.perf_counter() - started, 4),
    }
    try:
        with transaction.atomic():
            row, _ = FairnessReport.objects.update_or_create(
                conference=conference, stage=stage, parameters_key=key, defaults=values
            )
    except IntegrityError:
        # Another worker stored the same scope between our read and our write.
        row = FairnessReport.objects.get(conference=conference, stage=stage, parameters_key=key)
    return row, True


def report_for(
    *, user: User, conference: Conference, stage: str
) -> tuple[FairnessReport, ViewerScope]:
    """The report ``user`` sees, with the scope it was computed for."""
    scope = viewer_scope(user=user, conference=conference)
    row, _ = report_ensure(
        conference=conference, table=scope.table, stage=stage, hidden=scope.hidden
    )
    return row, scope


def reports_refresh(*, conference: Conference, force: bool = False) -> int:
    """Bring every cached report of ``conference`` up to date; returns how many were computed.

    Scopes: everything (admins and cochairs without conflicts) and each cochair's conflicts.
    Rows of scopes nobody has any more (a conflict was lifted, a chair left) are deleted.
    """
    editions = editions_of(conference=conference)
    table = decision_table(conference=conference, editions=editions)
    # The same scopes fairness.selectors.reports_current checks (the sweeper asks it).
    scopes = report_scopes(conference=conference, editions=editions)
    computed = 0
    for hidden in scopes.values():
        for stage in STAGES:
            _, fresh = report_ensure(
                conference=conference, table=table, stage=stage, hidden=hidden, force=force
            )
            computed += fresh
    FairnessReport.objects.filter(conference=conference).exclude(
        parameters_key__in=list(scopes)
    ).delete()
    return computed


def schedule_refresh(*, conference_id: int) -> None:
    """Queue ``refresh_reports`` for when the current transaction commits.

    Call it wherever decisions, reviews or conflicts change. ``robust=True``: if the broker is
    down, the decision is still saved; the dashboard recomputes lazily on its next view.
    """
    from fairness.tasks import refresh_reports  # tasks import services

    transaction.on_commit(lambda: refresh_reports.delay(conference_id), robust=True)
