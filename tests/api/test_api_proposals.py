import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from expo.proposals.models import Proposal, ProposalState
from tests.api.conftest import proposal_body
from tests.factories import MembershipFactory, ProposalFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/proposals/"


def test_proposal_create_draft_with_topics_by_name(api, conference, owner):
    response = api.post(URL, proposal_body(conference, owner.organisation), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "draft"
    assert data["topics"] == ["Vision"]
    assert data["speakers"][0]["email"] == "ada@example.org"
    proposal = Proposal.objects.get(pk=data["id"])
    assert proposal.organisation == owner.organisation
    assert proposal.created_by == owner.user


def test_proposal_create_and_submit_at_once(api, conference, owner):
    body = proposal_body(conference, owner.organisation, submit=True)
    response = api.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["state"] == "submitted"
    assert Proposal.objects.get().sponsor_tier == owner.organisation.tier


def test_proposal_create_for_another_organisation_is_refused_without_leaking(
    api, conference, owner
):
    other = MembershipFactory().organisation
    response = api.post(URL, proposal_body(conference, other), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organisation"
    missing = api.post(URL, proposal_body(conference, "no-such-org"), format="json")
    # The same answer for a foreign and a missing organisation.
    assert (
        missing.json()["errors"][0]["message"].replace("no-such-org", other.slug)
        == (response.json()["errors"][0]["message"])
    )
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"topics": ["Astrology"]}, "topics", "no topic “Astrology”"),
        ({"topics": []}, "topics", "at least one topic"),
        ({"speakers": []}, "speakers", "at least one speaker"),
        ({"speakers": [{"name": "A", "email": "not-an-address"}]}, "speakers.0.email", "valid"),
        ({"format": "keynote"}, "format", "not a valid choice"),
        ({"title": "x" * 201}, "title", "no more than 200"),
        ({"title": "nul\x00byte"}, "title", "Null characters"),
    ],
)
def test_proposal_create_bad_input_is_a_400_in_one_format(
    api, conference, owner, overrides, field, fragment
):
    response = api.post(URL, proposal_body(conference, owner.organisation, **overrides), "json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["field"] == field and fragment in e["message"] for e in errors), errors
    assert all(set(e) == {"field", "message", "code"} for e in errors)
    assert not Proposal.objects.exists()


def test_proposal_create_for_an_unknown_conference_is_a_400(api, owner):
    response = api.post(URL, proposal_body("nope", owner.organisation), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "conference"


def test_proposal_create_after_the_deadline_explains_it(api, conference, owner):
    conference.cfp_opens_at = timezone.now() - dt.timedelta(days=60)
    conference.cfp_closes_at = timezone.now() - dt.timedelta(days=1)
    conference.save()
    response = api.post(URL, proposal_body(conference, owner.organisation), format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] is None
    assert "closed on" in error["message"]


def test_proposal_edit_partially_keeps_the_rest(api, conference, owner):
    proposal = ProposalFactory(conference=conference, organisation=owner.organisation)
    response = api.patch(f"{URL}{proposal.pk}/", {"title": "A sharper title"}, format="json")
    assert response.status_code == 200, response.json()
    proposal.refresh_from_db()
    assert proposal.title == "A sharper title"
    assert proposal.speakers.count() == 1
    assert proposal.topics.count() == 1


def test_proposal_put_needs_every_field(api, conference, owner):
    proposal = ProposalFactory(conference=conference, organisation=owner.organisation)
    response = api.put(f"{URL}{proposal.pk}/", {"title": "Only a title"}, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} >= {"abstract", "speakers"}


def test_proposal_submit_then_withdraw(api, conference, owner):
    proposal = ProposalFactory(conference=conference, organisation=owner.organisation)
    response = api.post(f"{URL}{proposal.pk}/submit/")
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    again = api.post(f"{URL}{proposal.pk}/submit/")
    assert again.status_code == 400
    assert "Only drafts" in again.json()["errors"][0]["message"]
    assert api.post(f"{URL}{proposal.pk}/withdraw/").json()["state"] == "withdrawn"


def test_proposal_edit_of_a_withdrawn_proposal_is_refused_with_the_reason(api, conference, owner):
    proposal = ProposalFactory(
        conference=conference, organisation=owner.organisation, state=ProposalState.WITHDRAWN
    )
    response = api.patch(f"{URL}{proposal.pk}/", {"title": "Back again"}, format="json")
    assert response.status_code == 403
    assert response.json()["errors"] == [
        {
            "field": None,
            "message": "This proposal is withdrawn and can no longer be changed.",
            "code": "permission_denied",
        }
    ]
    assert api.post(f"{URL}{proposal.pk}/withdraw/").status_code == 403


def test_proposal_of_another_organisation_is_a_404_for_every_action(api, conference):
    foreign = ProposalFactory(conference=conference, title="Their secret plan")
    for method, path in [
        ("get", f"{URL}{foreign.pk}/"),
        ("patch", f"{URL}{foreign.pk}/"),
        ("put", f"{URL}{foreign.pk}/"),
        ("post", f"{URL}{foreign.pk}/submit/"),
        ("post", f"{URL}{foreign.pk}/withdraw/"),
    ]:
        response = getattr(api, method)(path, {"title": "Mine now"}, format="json")
        assert response.status_code == 404, (method, path)
        assert response.json()["errors"][0]["code"] == "not_found"
        assert "Their secret plan" not in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.title == "Their secret plan"
    assert foreign.state == ProposalState.DRAFT


def test_proposal_list_filters_and_orders(api, conference, owner):
    org = owner.organisation
    ProposalFactory(conference=conference, organisation=org, title="B draft")
    ProposalFactory(conference=conference, organisation=org, title="A submitted", state="submitted")
    ProposalFactory(conference=conference, title="Foreign", state="submitted")
    titles = [p["title"] for p in api.get(URL, {"ordering": "title"}).json()["results"]]
    assert titles == ["A submitted", "B draft"]
    submitted = api.get(URL, {"state": "submitted"}).json()["results"]
    assert [p["title"] for p in submitted] == ["A submitted"]
    bad = api.get(URL, {"state": "lost"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "state"
    assert api.get(URL, {"conference": "other"}).json()["count"] == 0


def test_proposal_list_page_past_the_end_is_a_404_in_the_error_format(api):
    response = api.get(URL, {"page": 99})
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def _list_queries(client, user):
    client.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_proposal_list_query_count_is_the_same_at_1_and_20_proposals(conference):
    one, many = MembershipFactory(), MembershipFactory()
    ProposalFactory(conference=conference, organisation=one.organisation)
    for _ in range(20):
        ProposalFactory(conference=conference, organisation=many.organisation, speakers=2)
    assert _list_queries(APIClient(), one.user) == _list_queries(APIClient(), many.user)


def test_proposal_write_with_a_session_needs_the_csrf_token(conference, owner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner.user)
    response = client.post(URL, proposal_body(conference, owner.organisation), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"][0]["message"]
