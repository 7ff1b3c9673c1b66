"""Writes for sponsor organisations, memberships and invitations."""

import datetime as dt
import re
import secrets
import smtplib
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from expo.accounts.models import User
from expo.sponsors.models import (
    Invitation,
    Membership,
    Organisation,
    invitation_token_digest,
)

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$")


def domains_parse(raw: str | Sequence[str]) -> list[str]:
    """Normalise a list of web domains ("https://www.Example.com/" → "example.com")."""
    items = re.split(r"[\s,;]+", raw) if isinstance(raw, str) else list(raw)
    domains: list[str] = []
    for item in items:
        domain = item.strip().lower()
        domain = re.sub(r"^[a-z]+://", "", domain).split("/")[0]
        domain = domain.removeprefix("www.")
        if not domain:
            continue
        if not DOMAIN_RE.match(domain):
            raise ValidationError(f"“{item.strip()}” is not a web domain.", code="domain")
        if domain not in domains:
            domains.append(domain)
    return domains


def _domains_field(raw: Sequence[str]) -> list[str]:
    try:
        return domains_parse(raw)
    except ValidationError as error:
        raise ValidationError({"domains": error.messages}) from error


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    by: User,
    name: str,
    tier: str,
    size: str,
    region: str,
    domains: Sequence[str] = (),
    description: str = "",
) -> Organisation:
    """Create an organisation with ``by`` as its owner."""
    name = name.strip()
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": "An organisation of this name exists already: ask a member to invite you."}
        )
    organisation = Organisation(
        name=name,
        slug=_unique_slug(name),
        domains=_domains_field(domains),
        tier=tier,
        size=size,
        region=region,
        description=description.strip(),
    )
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(organisation=organisation, user=by, role=Membership.Role.OWNER)
    return organisation


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    by: User,
    name: str,
    tier: str,
    size: str,
    region: str,
    domains: Sequence[str] = (),
    description: str = "",
) -> Organisation:
    if not (
        by.is_superuser
        or organisation.memberships.filter(user=by, role=Membership.Role.OWNER).exists()
    ):
        raise PermissionDenied("Only the organisation's owners can change its details.")
    organisation.name = name.strip()
    organisation.domains = _domains_field(domains)
    organisation.tier, organisation.size, organisation.region = tier, size, region
    organisation.description = description.strip()
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, by: User, accept_url_template: str
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``organisation`` and e-mail them the link.

    ``accept_url_template`` contains ``{token}``; the raw token exists only in the e-mail.
    Returns the invitation and the raw token.
    """
    email = email.strip().lower()
    if not organisation.memberships.filter(user=by).exists() and not by.is_superuser:
        raise PermissionDenied("Only members can invite colleagues.")
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {organisation.name}."})
    now = timezone.now()
    # A fresh invitation replaces pending ones to the same address, so only one link works.
    Invitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True
    ).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        token_digest=invitation_token_digest(token),
        invited_by=by,
        expires_at=now + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    link = accept_url_template.format(token=token)
    expires = timezone.localtime(invitation.expires_at).strftime("%-d %B %Y, %H:%M %Z")
    # Sent inside the transaction: the raw token exists only in this e-mail, so if it cannot be
    # sent, nothing is saved (and earlier pending invitations stay valid).
    try:
        send_mail(
            subject=f"{by.get_full_name()} invites you to {organisation.name} on Expo",
            message=(
                f"{by.get_full_name()} invited you to join {organisation.name} on Expo, "
                f"where it submits proposals for conference Expos.\n\n"
                f"Accept the invitation: {link}\n\n"
                f"The link works once and expires on {expires}."
            ),
            from_email=None,
            recipient_list=[email],
        )
    except (OSError, smtplib.SMTPException) as error:
        raise ValidationError(
            "The invitation e-mail could not be sent just now, so no invitation was made. "
            "Please try again in a few minutes."
        ) from error
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_digest=invitation_token_digest(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation of a valid invitation addressed to ``user``'s e-mail."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token_digest=invitation_token_digest(token))
        .first()
    )
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used.")
    if invitation.is_expired:
        raise ValidationError(
            "This invitation has expired. Ask a member of the organisation for a new one."
        )
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}; you are logged in as {user.email}."
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organisation=invitation.organisation, user=user, role=Membership.Role.MEMBER
            )
    except IntegrityError:
        membership = Membership.objects.get(organisation=invitation.organisation, user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member; owners (or the member themself) may do this, never the last owner."""
    organisation = membership.organisation
    is_owner = organisation.memberships.filter(user=by, role=Membership.Role.OWNER).exists()
    if not (is_owner or by.is_superuser or membership.user_id == by.pk):
        raise PermissionDenied("Only owners can remove other members.")
    owners = organisation.memberships.filter(role=Membership.Role.OWNER)
    if membership.role == Membership.Role.OWNER and owners.count() == 1:
        raise ValidationError("The last owner cannot leave; make someone else an owner first.")
    membership.delete()


@transaction.atomic
def organisation_erase(*, organisation: Organisation) -> int:
    """Delete an organisation and its people's links, keeping anonymised decision records.

    Its proposals lose every identifying or confidential field (text, speakers, attachment)
    but keep conference, format, topics, track, state and the sponsor snapshot taken at
    submission, which the fairness metrics need. Returns the number of proposals kept.
    """
    from expo.proposals.models import Proposal

    proposals = list(Proposal.objects.filter(organisation=organisation))
    for proposal in proposals:
        if proposal.attachment:
            proposal.attachment.delete(save=False)
        proposal.speakers.all().delete()
        proposal.title = f"Erased proposal {proposal.pk}"
        proposal.abstract = proposal.outline = proposal.notes_to_chairs = ""
        proposal.attachment_type = ""
        proposal.organisation = None
        proposal.created_by = None
        proposal.save()
    organisation.delete()
    return len(proposals)
