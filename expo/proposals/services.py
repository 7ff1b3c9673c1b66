"""Every write to a proposal goes through these functions.

Each validates, writes inside one transaction (nothing half-saved) and raises a
``ValidationError`` whose message a sponsor can read.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from expo.accounts.models import User
from expo.conferences.models import Conference, ExpoFormat, Topic
from expo.proposals.files import attachment_storage_name, sniff_attachment
from expo.proposals.models import (
    EDITABLE_STATES,
    WITHDRAWABLE_STATES,
    Proposal,
    ProposalState,
    Speaker,
)
from expo.sponsors.models import Membership, Organisation

# Hooks run (after commit) whenever a proposal's text is submitted or changed, e.g. the
# relevance scorer. Apps register here instead of this module importing them.
_text_changed_hooks: list[Callable[[int], None]] = []


def on_proposal_text_changed(hook: Callable[[int], None]) -> Callable[[int], None]:
    """Register ``hook(proposal_id)`` to run after a submitted proposal's text changes."""
    _text_changed_hooks.append(hook)
    return hook


def _notify_text_changed(proposal: Proposal) -> None:
    proposal_id = proposal.pk
    for hook in _text_changed_hooks:
        # robust: a hook that fails (e.g. the broker is down) is logged and never turns a
        # saved submission into an error page; the periodic sweeper catches up later.
        transaction.on_commit(
            lambda hook=hook: hook(proposal_id),  # type: ignore[misc]
            robust=True,
        )


@dataclass(frozen=True)
class SpeakerData:
    name: str
    email: str
    affiliation: str = ""
    bio: str = ""


class CfpClosed(ValidationError):
    """The conference's call for proposals is not open now."""


def cfp_ensure_open(*, conference: Conference, now: dt.datetime | None = None) -> None:
    """Raise ``CfpClosed`` with the deadline in the conference's time zone."""
    now = now or timezone.now()
    state = conference.cfp_state(now)
    if state == "not_open":
        raise CfpClosed(
            f"The call for proposals for {conference.name} opens on {conference.cfp_opens_display}."
        )
    if state == "closed":
        raise CfpClosed(
            f"The call for proposals for {conference.name} closed on "
            f"{conference.cfp_closes_display}. Proposals can no longer be submitted or changed."
        )


def _ensure_member(*, user: User, organisation: Organisation | None) -> None:
    if (
        organisation is None
        or not Membership.objects.filter(organisation=organisation, user=user).exists()
    ):
        raise PermissionDenied("You are not a member of this organisation.")


def _validate_topics(*, conference: Conference, topics: Sequence[Topic]) -> None:
    if not topics:
        raise ValidationError({"topics": "Choose at least one topic."})
    foreign = [t for t in topics if t.conference_id != conference.pk]
    if foreign:
        raise ValidationError({"topics": "Choose topics of this conference only."})


def _validate_speakers(speakers: Sequence[SpeakerData]) -> None:
    if not speakers:
        raise ValidationError({"speakers": "Name at least one speaker."})
    emails = [s.email.strip().lower() for s in speakers]
    if len(set(emails)) != len(emails):
        raise ValidationError({"speakers": "Each speaker needs their own e-mail address."})


def _write_speakers(*, proposal: Proposal, speakers: Sequence[SpeakerData]) -> None:
    proposal.speakers.all().delete()
    Speaker.objects.bulk_create(
        Speaker(
            proposal=proposal,
            name=s.name.strip(),
            email=s.email.strip().lower(),
            affiliation=s.affiliation.strip(),
            bio=s.bio.strip(),
            position=position,
        )
        for position, s in enumerate(speakers)
    )


def _attach(*, proposal: Proposal, attachment: UploadedFile | None, remove: bool) -> None:
    if attachment is not None:
        kind = sniff_attachment(attachment)
        if proposal.attachment:
            proposal.attachment.delete(save=False)
        proposal.attachment.save(attachment_storage_name(kind), attachment, save=False)
        proposal.attachment_type = kind.mime
    elif remove and proposal.attachment:
        proposal.attachment.delete(save=False)
        proposal.attachment_type = ""


def _apply_fields(
    *,
    proposal: Proposal,
    title: str,
    abstract: str,
    outline: str,
    format: str,
    notes_to_chairs: str,
) -> None:
    if format not in ExpoFormat.values:
        raise ValidationError({"format": "Choose a talk/demo or a workshop."})
    proposal.title = title.strip()
    proposal.abstract = abstract.strip()
    proposal.outline = outline.strip()
    proposal.format = format
    proposal.notes_to_chairs = notes_to_chairs.strip()
    proposal.full_clean(exclude=["attachment", "conference", "organisation", "created_by"])


def _write_content(
    *,
    proposal: Proposal,
    title: str,
    abstract: str,
    outline: str,
    format: str,
    notes_to_chairs: str,
    topics: Sequence[Topic],
    speakers: Sequence[SpeakerData],
    attachment: UploadedFile | None,
    remove_attachment: bool,
) -> None:
    """Validate and save what a sponsor writes, shared by creating and editing."""
    _validate_topics(conference=proposal.conference, topics=topics)
    _validate_speakers(speakers)
    _apply_fields(
        proposal=proposal,
        title=title,
        abstract=abstract,
        outline=outline,
        format=format,
        notes_to_chairs=notes_to_chairs,
    )
    _attach(proposal=proposal, attachment=attachment, remove=remove_attachment)
    proposal.save()
    proposal.topics.set(topics)
    _write_speakers(proposal=proposal, speakers=speakers)


@transaction.atomic
def proposal_create(
    *,
    conference: Conference,
    organisation: Organisation,
    by: User,
    title: str,
    abstract: str,
    outline: str,
    format: str,
    topics: Sequence[Topic],
    speakers: Sequence[SpeakerData],
    notes_to_chairs: str = "",
    attachment: UploadedFile | None = None,
    submit: bool = False,
    now: dt.datetime | None = None,
) -> Proposal:
    """Create a draft (or, with ``submit``, a submitted) proposal for ``organisation``."""
    _ensure_member(user=by, organisation=organisation)
    cfp_ensure_open(conference=conference, now=now)
    proposal = Proposal(conference=conference, organisation=organisation, created_by=by)
    _write_content(
        proposal=proposal,
        title=title,
        abstract=abstract,
        outline=outline,
        format=format,
        notes_to_chairs=notes_to_chairs,
        topics=topics,
        speakers=speakers,
        attachment=attachment,
        remove_attachment=False,
    )
    if submit:
        proposal = proposal_submit(proposal=proposal, by=by, now=now)
    return proposal


@transaction.atomic
def proposal_update(
    *,
    proposal: Proposal,
    by: User,
    title: str,
    abstract: str,
    outline: str,
    format: str,
    topics: Sequence[Topic],
    speakers: Sequence[SpeakerData],
    notes_to_chairs: str = "",
    attachment: UploadedFile | None = None,
    remove_attachment: bool = False,
    now: dt.datetime | None = None,
) -> Proposal:
    """Change a draft or submitted proposal while the CfP is open."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _ensure_member(user=by, organisation=proposal.organisation)
    if proposal.state not in EDITABLE_STATES:
        raise ValidationError(
            f"This proposal is {proposal.get_state_display().lower()} and can no longer be changed."
        )
    cfp_ensure_open(conference=proposal.conference, now=now)
    _write_content(
        proposal=proposal,
        title=title,
        abstract=abstract,
        outline=outline,
        format=format,
        notes_to_chairs=notes_to_chairs,
        topics=topics,
        speakers=speakers,
        attachment=attachment,
        remove_attachment=remove_attachment,
    )
    if proposal.state == ProposalState.SUBMITTED:
        _notify_text_changed(proposal)
    return proposal


def _snapshot_sponsor(proposal: Proposal) -> None:
    organisation = proposal.organisation
    assert organisation is not None
    proposal.sponsor_tier = organisation.tier
    proposal.sponsor_size = organisation.size
    proposal.sponsor_region = organisation.region
    proposal.first_time_sponsor = not (
        Proposal.objects.filter(
            organisation=organisation,
            submitted_at__isnull=False,
            conference__starts_on__lt=proposal.conference.starts_on,
        ).exists()
    )


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by: User, now: dt.datetime | None = None) -> Proposal:
    """Move a draft to *submitted*; the chairs see it from then on."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _ensure_member(user=by, organisation=proposal.organisation)
    if proposal.state != ProposalState.DRAFT:
        raise ValidationError(
            f"Only drafts can be submitted; this proposal is "
            f"{proposal.get_state_display().lower()}."
        )
    cfp_ensure_open(conference=proposal.conference, now=now)
    if not proposal.speakers.exists():
        raise ValidationError("Name at least one speaker before submitting.")
    if not proposal.topics.exists():
        raise ValidationError("Choose at least one topic before submitting.")
    proposal.state = ProposalState.SUBMITTED
    proposal.submitted_at = now or timezone.now()
    _snapshot_sponsor(proposal)
    proposal.save(
        update_fields=[
            "state",
            "submitted_at",
            "updated_at",
            "sponsor_tier",
            "sponsor_size",
            "sponsor_region",
            "first_time_sponsor",
        ]
    )
    _notify_text_changed(proposal)
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, by: User, now: dt.datetime | None = None) -> Proposal:
    """Withdraw a proposal. Allowed after the CfP closes too: a sponsor may always pull out."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _ensure_member(user=by, organisation=proposal.organisation)
    if proposal.state not in WITHDRAWABLE_STATES:
        raise ValidationError(
            f"This proposal is {proposal.get_state_display().lower()} and cannot be withdrawn."
        )
    proposal.state = ProposalState.WITHDRAWN
    proposal.withdrawn_at = now or timezone.now()
    proposal.save(update_fields=["state", "withdrawn_at", "updated_at"])
    return proposal
