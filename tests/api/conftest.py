import pytest
from rest_framework.test import APIClient

from tests.factories import ConferenceFactory, MembershipFactory


@pytest.fixture
def conference(db):
    return ConferenceFactory(topic_names=["Reinforcement learning", "Vision", "Theory"])


@pytest.fixture
def owner(db):
    return MembershipFactory(role="owner")


@pytest.fixture
def api(owner):
    """An API client logged in as the owner of an organisation."""
    client = APIClient()
    client.force_authenticate(owner.user)
    return client


def proposal_body(conference, organisation, **overrides):
    body = {
        "conference": getattr(conference, "slug", conference),
        "organisation": getattr(organisation, "slug", organisation),
        "title": "Offline evaluation of ranking policies",
        "abstract": "We show how to evaluate ranking policies from logs, with three datasets.",
        "outline": "1. Problem\n2. Estimators\n3. Live demo",
        "format": "talk",
        "topics": ["Vision"],
        "speakers": [{"name": "Ada Lovelace", "email": "ada@example.org"}],
    }
    body.update(overrides)
    return body
