"""Writing the audit trail. Services call ``audit_record`` inside their transaction, so an event
exists exactly when the change it describes was committed."""

from typing import Any

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.proposals.models import Proposal
from reviews.models import AuditAction, AuditEvent


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
