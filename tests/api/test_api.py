import pytest
from django.urls import reverse

from tests.factories import ConferenceFactory, MembershipFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_and_lists_endpoints(client):
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/conferences/" in schema["paths"]
    assert "/api/v1/proposals/" in schema["paths"]


def test_docs_page_renders(client):
    assert client.get(reverse("api-docs")).status_code == 200


def test_conferences_are_public_with_topics_and_tracks(client):
    conference = ConferenceFactory(topic_names=["Bandits"])
    data = client.get("/api/v1/conferences/").json()
    assert data["count"] == 1
    item = data["results"][0]
    assert item["slug"] == conference.slug
    assert [t["name"] for t in item["topics"]] == ["Bandits"]
    assert len(item["tracks"]) == 3
    detail = client.get(f"/api/v1/conferences/{conference.slug}/").json()
    assert detail["cfp_open"] is True


def test_proposals_need_authentication(client):
    ProposalFactory()
    response = client.get("/api/v1/proposals/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_proposals_list_only_own_organisation(client):
    mine = MembershipFactory()
    own = ProposalFactory(organisation=mine.organisation, title="Ours")
    foreign = ProposalFactory(title="Theirs")
    client.force_login(mine.user)
    data = client.get("/api/v1/proposals/").json()
    assert [p["title"] for p in data["results"]] == ["Ours"]
    assert data["results"][0]["speakers"][0]["email"] == own.speakers.get().email
    assert client.get(f"/api/v1/proposals/{foreign.pk}/").status_code == 404


def test_proposals_api_is_read_only(client):
    mine = MembershipFactory()
    proposal = ProposalFactory(organisation=mine.organisation)
    client.force_login(mine.user)
    response = client.delete(f"/api/v1/proposals/{proposal.pk}/")
    assert response.status_code == 405
