"""Data for the fairness dashboard's tests: decided proposals with known sponsor snapshots."""

from collections.abc import Sequence

import pytest

from expo.accounts.models import User
from expo.conferences.models import Conference, Topic
from expo.proposals.models import Proposal
from expo.sponsors.models import Organisation
from tests.factories import (
    AdminFactory,
    ChairFactory,
    ConferenceFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
)


def add_proposals(
    conference: Conference,
    count: int,
    *,
    accepted: int = 0,
    organisation: Organisation | None = None,
    state: str | None = None,
    topics: Sequence[str] = (),
    **snapshot: object,
) -> list[Proposal]:
    """``count`` proposals, the first ``accepted`` of them accepted and the rest rejected
    (or all in ``state``), with the given sponsor snapshot (sponsor_region="asia", …)."""
    organisation = organisation or OrganisationFactory()
    chosen = list(Topic.objects.filter(conference=conference, name__in=topics))
    snapshot.setdefault("sponsor_tier", "gold")
    snapshot.setdefault("sponsor_size", "1000-9999")
    snapshot.setdefault("sponsor_region", "europe")
    snapshot.setdefault("first_time_sponsor", False)
    return [
        ProposalFactory(
            conference=conference,
            organisation=organisation,
            state=state or ("accepted" if index < accepted else "rejected"),
            topics=chosen or None,
            speakers=0,
            **snapshot,
        )
        for index in range(count)
    ]


@pytest.fixture
def conference(db) -> Conference:
    return ConferenceFactory(topic_names=["Reinforcement learning", "Vision"])


@pytest.fixture
def insider_organisation(db) -> Organisation:
    return OrganisationFactory(name="Insider Labs", domains=["insider.example"])


@pytest.fixture
def decided(conference, insider_organisation) -> dict[str, list[Proposal]]:
    """43 decided proposals: Europe 24 (12 accepted), Asia 12 (3), Oceania 3 (1), and
    4 of Insider Labs in North America (2 accepted)."""
    return {
        "europe": add_proposals(conference, 24, accepted=12, sponsor_region="europe"),
        "asia": add_proposals(conference, 12, accepted=3, sponsor_region="asia"),
        "oceania": add_proposals(conference, 3, accepted=1, sponsor_region="oceania"),
        "insider": add_proposals(
            conference,
            4,
            accepted=2,
            organisation=insider_organisation,
            sponsor_region="north_america",
        ),
    }


@pytest.fixture
def chair(conference) -> User:
    return ChairFactory(conference=conference, user__full_name="Charlotte Chair").user


@pytest.fixture
def insider_chair(conference, insider_organisation) -> User:
    """A cochair whose e-mail domain is Insider Labs': conflicted with its proposals."""
    return ChairFactory(conference=conference, user__email="kofi@insider.example").user


@pytest.fixture
def other_chair(db) -> User:
    """A cochair of another conference."""
    return ChairFactory(conference=ConferenceFactory()).user


@pytest.fixture
def sponsor(decided) -> User:
    return MembershipFactory(organisation=decided["europe"][0].organisation, role="owner").user


@pytest.fixture
def admin(db) -> User:
    return AdminFactory()
