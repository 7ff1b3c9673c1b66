import pytest
from django.core import mail

from expo.sponsors.models import Invitation, Membership, Organisation
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations/"


def org_body(**overrides):
    body = {"name": "Tensor Works", "tier": "gold", "size": "50-249", "region": "europe"}
    body.update(overrides)
    return body


def test_organisation_list_shows_only_your_own(api, owner):
    MembershipFactory()
    data = api.get(URL).json()
    assert [o["slug"] for o in data["results"]] == [owner.organisation.slug]
    assert data["results"][0]["member_count"] == 1


def test_organisation_of_others_is_a_404(api):
    other = MembershipFactory().organisation
    for method in ("get", "patch"):
        response = getattr(api, method)(f"{URL}{other.slug}/", {"name": "Mine"}, format="json")
        assert response.status_code == 404
    assert api.get(f"{URL}{other.slug}/members/").status_code == 404
    assert api.post(f"{URL}{other.slug}/invitations/", {"email": "x@example.org"}).status_code == (
        404
    )


def test_organisation_create_makes_you_owner(api, owner):
    response = api.post(URL, org_body(domains=["https://www.Tensor.example/"]), format="json")
    assert response.status_code == 201, response.json()
    organisation = Organisation.objects.get(slug=response.json()["slug"])
    assert organisation.domains == ["tensor.example"]
    assert organisation.memberships.get().role == Membership.Role.OWNER


def test_organisation_create_with_a_taken_name_or_bad_domain_is_a_400(api, owner):
    taken = api.post(URL, org_body(name=owner.organisation.name.upper()), format="json")
    assert taken.status_code == 400
    assert taken.json()["errors"][0]["field"] == "name"
    bad = api.post(URL, org_body(domains=["not a domain"]), format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "domains"
    assert Organisation.objects.count() == 1


def test_organisation_owner_changes_details_member_may_not(api, owner):
    organisation = owner.organisation
    response = api.patch(f"{URL}{organisation.slug}/", {"tier": "platinum"}, format="json")
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.tier == "platinum"
    assert organisation.name  # untouched fields are kept

    member = MembershipFactory(organisation=organisation).user
    api.force_authenticate(member)
    refused = api.patch(f"{URL}{organisation.slug}/", {"tier": "bronze"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["message"] == (
        "Only the organisation's owners can change its details."
    )
    organisation.refresh_from_db()
    assert organisation.tier == "platinum"


def test_organisation_members_and_invitation(api, owner, django_capture_on_commit_callbacks):
    organisation = owner.organisation
    members = api.get(f"{URL}{organisation.slug}/members/").json()
    assert [m["email"] for m in members] == [owner.user.email]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{URL}{organisation.slug}/invitations/", {"email": "New@Colleague.example"}, "json"
        )
    assert response.status_code == 201
    assert response.json()["email"] == "new@colleague.example"
    assert Invitation.objects.get().organisation == organisation
    assert mail.outbox[0].to == ["new@colleague.example"]
    again = api.post(
        f"{URL}{organisation.slug}/invitations/", {"email": owner.user.email}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "email"


def test_organisation_member_removal_by_owner_not_the_last_owner(api, owner):
    organisation = owner.organisation
    colleague = MembershipFactory(organisation=organisation, user=UserFactory())
    response = api.delete(f"{URL}{organisation.slug}/members/{colleague.pk}/")
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=colleague.pk).exists()
    last = api.delete(f"{URL}{organisation.slug}/members/{owner.pk}/")
    assert last.status_code == 400
    assert "last owner" in last.json()["errors"][0]["message"]


def test_organisation_member_cannot_remove_others(api, owner):
    organisation = owner.organisation
    member = MembershipFactory(organisation=organisation)
    api.force_authenticate(member.user)
    response = api.delete(f"{URL}{organisation.slug}/members/{owner.pk}/")
    assert response.status_code == 403
    assert Membership.objects.filter(pk=owner.pk).exists()
