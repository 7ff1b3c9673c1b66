"""Writing the audit trail. Services call ``audit_record`` inside their transaction, so an event
exists exactly when the change it describes was committed."""

from collections.abc import Callable
from typing import Any

from django.db import transaction

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.proposals.models import Proposal
from reviews.models import AuditAction, AuditEvent

# Hooks run once the recorded change commits, e.g. the fairness dashboard's refresh. Other apps
# register here (in their AppConfig.ready) instead of this module importing them.
_committed_hooks: list[Callable[[AuditAction, int | None], None]] = []


def on_audited_change(
    hook: Callable[[AuditAction, int | None], None],
) -> Callable[[AuditAction, int | None], None]:
    """Register ``hook(action, conference_id)`` to run after an audited change commits."""
    _committed_hooks.append(hook)
    return hook


def audit_record(
    *,
    action: AuditAction,
    actor: User | None,
    summary: str,
    object_type: str,
    object_id: int | str = "",
    conference: Conference | None = None,
    proposal: Proposal | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; ``before``/``after`` must be JSON-serialisable."""
    conference_id: int | None = conference.pk if conference is not None else None
    if conference_id is None and proposal is not None:
        conference_id = proposal.conference_id
    for hook in _committed_hooks:
        # robust: a failing hook (a broker outage) never undoes or errors the change itself.
        transaction.on_commit(
            lambda hook=hook: hook(action, conference_id),  # type: ignore[misc]
            robust=True,
        )
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        summary=summary[:500],
        object_type=object_type,
        object_id=str(object_id),
        conference_id=conference_id,
        proposal=proposal,
        before=before,
        after=after,
    )
