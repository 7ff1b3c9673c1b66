"""Signal receivers: review defaults for every new conference, and an audit event for proposal
state changes made outside this app (a sponsor submitting or withdrawing)."""

from typing import Any

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from expo.conferences.models import Conference
from expo.proposals.models import Proposal
from reviews.audit import audit_record
from reviews.models import AuditAction


@receiver(post_save, sender=Conference, dispatch_uid="reviews_conference_defaults")
def create_review_defaults(
    sender: type[Conference], instance: Conference, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        from reviews.services import review_setup_ensure  # services import this app's models

        review_setup_ensure(conference=instance)


@receiver(post_init, sender=Proposal, dispatch_uid="reviews_proposal_loaded_state")
def remember_loaded_state(sender: type[Proposal], instance: Proposal, **kwargs: Any) -> None:
    instance.__dict__["_audit_loaded_state"] = instance.__dict__.get("state")


@receiver(post_save, sender=Proposal, dispatch_uid="reviews_proposal_state_audit")
def audit_state_change(
    sender: type[Proposal], instance: Proposal, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        return
    before = None if created else instance.__dict__.get("_audit_loaded_state")
    after = instance.state
    already = instance.__dict__.pop("_audit_recorded", False)
    instance.__dict__["_audit_loaded_state"] = after
    if already or before == after or (created and after == "draft"):
        return
    # The proposals app does not tell us who acted (a sponsor, the admin); the event says so.
    audit_record(
        action=AuditAction.PROPOSAL_STATE,
        actor=None,
        summary=f"“{instance.title}”: {before or 'new'} → {after}",
        object_type="proposal",
        object_id=instance.pk,
        proposal=instance,
        before={"state": before} if before else None,
        after={"state": after, "why": "changed outside the review workflow; actor not recorded"},
    )
