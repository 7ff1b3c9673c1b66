"""One conference with every kind of object, and one user per role, for the permission matrix.

Organisation A's proposal carries marker strings in its title and abstract, organisation B's
in its own; the matrix checks that each marker reaches only the roles that may read it.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from expo.accounts.models import User
from expo.conferences.models import Conference, Track
from expo.conferences.services import conference_create_default_tracks
from expo.proposals.models import Proposal, ProposalState
from expo.sponsors import services as sponsor_services
from expo.sponsors.models import Membership, Organisation
from ranking.services import proposal_score
from reviews.services import review_setup_ensure
from scheduling import services as schedule_services
from scheduling.models import Room, ScheduleVersion, TrackWindow
from tests.factories import (
    AdminFactory,
    ChairFactory,
    ConferenceFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
)
from tests.reviews.factories import submit_review

SECRET_A_TITLE = "Zanzibar forklift autopilot (A only)"
SECRET_A_ABSTRACT = "Confidential-A: our unreleased warehouse roadmap with partner Quixotic."
SECRET_B_TITLE = "Yellowstone sensor fusion (B only)"
SECRET_B_ABSTRACT = "Confidential-B: pricing of the Borealis platform before launch."

ROLES = ("anonymous", "sponsor_a", "sponsor_b", "cochair", "conflicted_cochair", "admin")

# A minimal PDF: what the attachment sniffing accepts.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    conference: Conference
    org_a: Organisation
    org_b: Organisation
    proposal_a: Proposal
    proposal_b: Proposal
    scheduled: Proposal
    talks: Track
    users: dict[str, User | None]
    membership_a: Membership
    invitation_token: str
    version: ScheduleVersion
    extra: dict[str, Any] = field(default_factory=dict)

    def forbidden_markers(self, role: str) -> tuple[str, ...]:
        """Text that must never appear in a response to ``role``."""
        a = (SECRET_A_TITLE, SECRET_A_ABSTRACT)
        b = (SECRET_B_TITLE, SECRET_B_ABSTRACT)
        return {
            "anonymous": a + b,
            "sponsor_a": b,
            "sponsor_b": a,
            "cochair": (),
            "conflicted_cochair": a,
            "admin": (),
        }[role]


def _at(conference: Conference, hour: int) -> dt.datetime:
    return dt.datetime.combine(conference.starts_on, dt.time(hour), conference.tzinfo)


def build_world() -> World:
    conference = ConferenceFactory(
        slug="expo-matrix", topic_names=["Reinforcement learning", "Vision"]
    )
    review_setup_ensure(conference=conference)
    talks, workshops_a, workshops_b = conference_create_default_tracks(conference=conference)
    for position, track in enumerate((talks, workshops_a, workshops_b)):
        room = Room.objects.create(conference=conference, name=f"Room {position}")
        TrackWindow.objects.create(
            track=track, room=room, starts_at=_at(conference, 9), ends_at=_at(conference, 17)
        )

    membership_a = MembershipFactory(
        role=Membership.Role.OWNER,
        organisation=OrganisationFactory(name="Alpha Labs", domains=["alpha-labs.example"]),
    )
    org_a = membership_a.organisation
    membership_b = MembershipFactory(
        role=Membership.Role.OWNER,
        organisation=OrganisationFactory(name="Beta Works", domains=["beta-works.example"]),
    )
    org_b = membership_b.organisation
    proposal_a = ProposalFactory(
        conference=conference,
        organisation=org_a,
        title=SECRET_A_TITLE,
        abstract=SECRET_A_ABSTRACT,
        state=ProposalState.SUBMITTED,
        submitted_at=conference.cfp_opens_at,
    )
    proposal_a.attachment.save("slides.pdf", ContentFile(PDF), save=False)
    proposal_a.attachment_type = "application/pdf"
    proposal_a.save()
    proposal_b = ProposalFactory(
        conference=conference,
        organisation=org_b,
        title=SECRET_B_TITLE,
        abstract=SECRET_B_ABSTRACT,
        state=ProposalState.SUBMITTED,
        submitted_at=conference.cfp_opens_at,
    )
    # A third sponsor's accepted talk, published on the schedule (public by then).
    scheduled = ProposalFactory(
        conference=conference,
        title="Published talk on robot arms",
        state=ProposalState.ACCEPTED,
        track=talks,
    )

    cochair = ChairFactory(conference=conference).user
    conflicted = ChairFactory(conference=conference, user__email="insider@alpha-labs.example").user
    admin = AdminFactory()
    # Half-way through setting up two-factor login: not yet asked at login.
    TOTPDevice.objects.create(user=admin, name="Phone", confirmed=False)
    submit_review(cochair, proposal_a)
    submit_review(cochair, proposal_b)
    for proposal in (proposal_a, proposal_b):
        proposal_score(proposal_id=proposal.pk)

    version = schedule_services.schedule_version_solve(conference=conference, by=admin)
    schedule_services.schedule_version_publish(version=version, by=admin)
    schedule_services.schedule_version_copy(version=version, by=admin)

    _invitation, token = sponsor_services.invitation_create(
        organisation=org_a,
        email="newcomer@alpha-labs.example",
        by=membership_a.user,
        accept_url_template="https://expo.example/invitations/{token}/",
    )
    users: dict[str, User | None] = {
        "anonymous": None,
        "sponsor_a": membership_a.user,
        "sponsor_b": membership_b.user,
        "cochair": cochair,
        "conflicted_cochair": conflicted,
        "admin": admin,
    }
    return World(
        conference=conference,
        org_a=org_a,
        org_b=org_b,
        proposal_a=proposal_a,
        proposal_b=proposal_b,
        scheduled=scheduled,
        talks=talks,
        users=users,
        membership_a=membership_a,
        invitation_token=token,
        version=version,
        extra={
            "uidb64": urlsafe_base64_encode(force_bytes(membership_a.user.pk)),
            "reset_token": default_token_generator.make_token(membership_a.user),
        },
    )
