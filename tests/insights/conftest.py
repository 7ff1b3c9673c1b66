import pytest

from tests.factories import ConferenceFactory, MembershipFactory


@pytest.fixture
def conference(db):
    return ConferenceFactory(topic_names=["Reinforcement learning", "Computer vision", "Theory"])


@pytest.fixture
def member(db):
    return MembershipFactory(role="owner")


@pytest.fixture
def sponsor_client(client, member):
    client.force_login(member.user)
    return client
