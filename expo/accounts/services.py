"""A person's own data: export it, and erase it (anonymisation that keeps records consistent)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from expo.accounts.models import User
from expo.proposals.models import Proposal, Speaker
from expo.sponsors.models import Invitation, Membership


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything Expo stores about ``user`` as a person, as JSON-ready data."""
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    speaker_rows = Speaker.objects.filter(email__iexact=user.email).select_related(
        "proposal__conference", "proposal__organisation"
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "memberships": [
            {
                "organisation": m.organisation.name,
                "role": m.role,
                "joined_at": m.joined_at.isoformat(),
            }
            for m in memberships
        ],
        "proposals_created": [
            {"id": p.pk, "title": p.title, "conference": p.conference.slug, "state": p.state}
            for p in Proposal.objects.filter(created_by=user).select_related("conference")
        ],
        "listed_as_speaker": [
            {
                "proposal": s.proposal.title,
                "organisation": s.proposal.organisation.name if s.proposal.organisation else "",
                "conference": s.proposal.conference.slug,
                "name": s.name,
                "affiliation": s.affiliation,
                "bio": s.bio,
            }
            for s in speaker_rows
        ],
        "invitations_received": [
            {"organisation": i.organisation.name, "created_at": i.created_at.isoformat()}
            for i in Invitation.objects.filter(email__iexact=user.email).select_related(
                "organisation"
            )
        ],
    }


@transaction.atomic
def user_erase(*, user: User) -> None:
    """Erase a person: anonymise the account and leave their organisations.

    The row stays (with no name, e-mail or password) so that proposals, reviews and the audit
    trail keep pointing at "a deleted user" instead of losing their history; an organisation's
    proposals belong to the organisation and stay. Refused while the person is the last owner
    of an organisation that has other members: they must hand it over first.
    """
    for membership in Membership.objects.filter(user=user, role=Membership.Role.OWNER):
        organisation = membership.organisation
        others = organisation.memberships.exclude(user=user)
        if others.exists() and not others.filter(role=Membership.Role.OWNER).exists():
            raise ValidationError(
                f"You are the last owner of {organisation.name}. Make another member an owner "
                "before deleting your account."
            )
    email = user.email
    Membership.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True).delete()
    Speaker.objects.filter(email__iexact=email).update(
        name="Deleted speaker", email=f"deleted-speaker-{user.pk}@invalid", bio=""
    )
    user.email = f"deleted-user-{user.pk}@invalid"
    user.full_name = "Deleted user"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
