import pytest

from tests.factories import AdminFactory, ConferenceFactory, MembershipFactory
from tests.reviews.factories import chair, conflicted_chair, sponsor_with_proposal


@pytest.fixture
def conference(db):
    return ConferenceFactory(topic_names=["Reinforcement learning", "Vision", "Theory"])


@pytest.fixture
def sponsor_and_proposal(conference):
    return sponsor_with_proposal(
        conference,
        title="Confidential plan of Insider Labs",
        abstract="Insider Labs' secret roadmap for autonomous forklifts.",
    )


@pytest.fixture
def proposal(sponsor_and_proposal):
    return sponsor_and_proposal[1]


@pytest.fixture
def sponsor(sponsor_and_proposal):
    return sponsor_and_proposal[0]


@pytest.fixture
def other_sponsor(db):
    return MembershipFactory(role="owner").user


@pytest.fixture
def chair1(conference):
    return chair(conference, user__full_name="Charlotte Chair")


@pytest.fixture
def chair2(conference):
    return chair(conference, user__full_name="Kofi Cochair")


@pytest.fixture
def insider(conference, proposal):
    """A cochair conflicted with ``proposal`` through their e-mail domain."""
    return conflicted_chair(conference, proposal)


@pytest.fixture
def admin(db):
    return AdminFactory()
