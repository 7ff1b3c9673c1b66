import pytest
from django.urls import reverse

from tests.factories import AdminFactory, ConferenceFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "accounts_user",
        "conferences_conference",
        "conferences_track",
        "sponsors_organisation",
        "sponsors_invitation",
        "proposals_proposal",
    ],
)
def test_admin_changelists_and_forms_render_for_admins(client, model):
    ProposalFactory()
    client.force_login(AdminFactory())
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{model}_add")).status_code == 200


def test_admin_conference_change_page_has_inlines(client):
    conference = ConferenceFactory()
    client.force_login(AdminFactory())
    body = client.get(reverse("admin:conferences_conference_change", args=[conference.pk]))
    assert "Workshops A" in body.content.decode()


def test_admin_is_closed_to_sponsors(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
