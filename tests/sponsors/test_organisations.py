import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from expo.sponsors.models import Invitation, Membership, Organisation
from expo.sponsors.services import domains_parse, invitation_create
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def org_data(**overrides):
    data = {
        "name": "Deep Thought Labs",
        "domains": "https://www.DeepThought.example/, dt-labs.example",
        "tier": "startup",
        "size": "1-49",
        "region": "europe",
        "description": "Answers to ultimate questions.",
    }
    data.update(overrides)
    return data


def test_create_organisation_makes_creator_owner(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("organisation-create"), org_data())
    organisation = Organisation.objects.get(name="Deep Thought Labs")
    assert response["Location"] == reverse("organisation-detail", args=[organisation.slug])
    assert organisation.domains == ["deepthought.example", "dt-labs.example"]
    assert Membership.objects.get(organisation=organisation).role == "owner"


def test_create_organisation_requires_login(client):
    response = client.get(reverse("organisation-create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"domains": "not a domain!"}, "is not a web domain"),
        ({"tier": "diamond"}, "Select a valid choice."),
        ({"region": "mars"}, "Select a valid choice."),
        ({"description": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_create_organisation_bad_input_creates_nothing(client, overrides, message):
    client.force_login(UserFactory())
    response = client.post(reverse("organisation-create"), org_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Organisation.objects.exists()


def test_create_organisation_with_taken_name_is_refused(client):
    OrganisationFactory(name="Deep Thought Labs")
    client.force_login(UserFactory())
    response = client.post(reverse("organisation-create"), org_data(name="deep thought labs"))
    assert "exists already" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_domains_parse_normalises_and_deduplicates():
    assert domains_parse("HTTPS://www.a.example/path, a.example  b.co.uk;") == [
        "a.example",
        "b.co.uk",
    ]
    assert domains_parse("") == []
    with pytest.raises(ValidationError):
        domains_parse("localhost")


def test_organisation_page_is_404_for_non_members(client):
    organisation = OrganisationFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("organisation-detail", args=[organisation.slug])).status_code == 404
    assert client.get(reverse("organisation-edit", args=[organisation.slug])).status_code == 404


def test_member_sees_members_but_only_owner_edits(client):
    owner = MembershipFactory(role="owner")
    member = MembershipFactory(organisation=owner.organisation)
    client.force_login(member.user)
    detail = client.get(reverse("organisation-detail", args=[owner.organisation.slug]))
    assert owner.user.email in detail.content.decode()
    response = client.post(
        reverse("organisation-edit", args=[owner.organisation.slug]), org_data(name="Renamed")
    )
    assert response.status_code == 302
    owner.organisation.refresh_from_db()
    assert owner.organisation.name != "Renamed"

    client.force_login(owner.user)
    client.post(
        reverse("organisation-edit", args=[owner.organisation.slug]), org_data(name="Renamed")
    )
    owner.organisation.refresh_from_db()
    assert owner.organisation.name == "Renamed"


def invite(client, membership, email):
    client.force_login(membership.user)
    return client.post(
        reverse("organisation-invite", args=[membership.organisation.slug]), {"email": email}
    )


def accept_link_from_mail():
    body = mail.outbox[-1].body
    return next(line for line in body.split() if "/invitations/" in line)


def test_invitation_email_link_lets_colleague_join(client, django_capture_on_commit_callbacks):
    owner = MembershipFactory(role="owner")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, owner, "Colleague@Example.org")
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["colleague@example.org"]
    link = accept_link_from_mail()
    colleague = UserFactory(email="colleague@example.org")
    client.force_login(colleague)
    page = client.get(link)
    assert owner.organisation.name in page.content.decode()
    client.post(link)
    assert Membership.objects.filter(organisation=owner.organisation, user=colleague).exists()
    # The link works once.
    client.post(link)
    assert Membership.objects.filter(user=colleague).count() == 1


def test_invitation_token_is_not_stored_in_clear():
    owner = MembershipFactory(role="owner")
    invitation, token = invitation_create(
        organisation=owner.organisation,
        email="x@example.org",
        by=owner.user,
        accept_url_template="/i/{token}",
    )
    assert token not in invitation.token_digest
    assert len(invitation.token_digest) == 64


def test_invitation_for_other_email_is_refused(client):
    owner = MembershipFactory(role="owner")
    _, token = invitation_create(
        organisation=owner.organisation,
        email="intended@example.org",
        by=owner.user,
        accept_url_template="/i/{token}",
    )
    intruder = UserFactory(email="intruder@example.org")
    client.force_login(intruder)
    response = client.post(reverse("invitation-accept", args=[token]), follow=True)
    assert "was sent to intended@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=intruder).exists()


def test_expired_invitation_is_refused(client):
    owner = MembershipFactory(role="owner")
    invitation, token = invitation_create(
        organisation=owner.organisation,
        email="late@example.org",
        by=owner.user,
        accept_url_template="/i/{token}",
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    late = UserFactory(email="late@example.org")
    client.force_login(late)
    response = client.post(reverse("invitation-accept", args=[token]), follow=True)
    assert "has expired" in response.content.decode()
    assert not Membership.objects.filter(user=late).exists()


def test_new_invitation_replaces_pending_one():
    owner = MembershipFactory(role="owner")
    first, _ = invitation_create(
        organisation=owner.organisation,
        email="a@example.org",
        by=owner.user,
        accept_url_template="/i/{token}",
    )
    invitation_create(
        organisation=owner.organisation,
        email="a@example.org",
        by=owner.user,
        accept_url_template="/i/{token}",
    )
    first.refresh_from_db()
    assert first.is_expired


def test_unknown_invitation_token_is_404_for_anonymous(client):
    assert client.get(reverse("invitation-accept", args=["nope"])).status_code == 404


def test_anonymous_with_valid_invitation_is_sent_to_login(client):
    owner = MembershipFactory(role="owner")
    _, token = invitation_create(
        organisation=owner.organisation,
        email="a@example.org",
        by=owner.user,
        accept_url_template="/i/{token}",
    )
    response = client.get(reverse("invitation-accept", args=[token]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_inviting_an_existing_member_is_refused(client):
    owner = MembershipFactory(role="owner")
    member = MembershipFactory(organisation=owner.organisation)
    response = invite(client, owner, member.user.email)
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_non_member_cannot_invite(client):
    organisation = OrganisationFactory()
    client.force_login(UserFactory())
    response = client.post(
        reverse("organisation-invite", args=[organisation.slug]), {"email": "a@example.org"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_last_owner_cannot_leave_but_member_can(client):
    owner = MembershipFactory(role="owner")
    member = MembershipFactory(organisation=owner.organisation)
    slug = owner.organisation.slug
    client.force_login(owner.user)
    client.post(reverse("membership-remove", args=[slug, owner.pk]))
    assert Membership.objects.filter(pk=owner.pk).exists()
    client.force_login(member.user)
    client.post(reverse("membership-remove", args=[slug, member.pk]))
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_member_cannot_remove_the_owner(client):
    owner = MembershipFactory(role="owner")
    member = MembershipFactory(organisation=owner.organisation)
    client.force_login(member.user)
    client.post(reverse("membership-remove", args=[owner.organisation.slug, owner.pk]))
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_erasing_an_organisation_keeps_anonymised_decisions():
    from expo.proposals.models import Proposal, Speaker
    from expo.proposals.services import proposal_submit
    from expo.sponsors.services import organisation_erase
    from tests.factories import ProposalFactory

    owner = MembershipFactory(role="owner", organisation__tier="startup")
    proposal = ProposalFactory(organisation=owner.organisation, title="Secret roadmap")
    proposal_submit(proposal=proposal, by=owner.user)
    Proposal.objects.filter(pk=proposal.pk).update(state="rejected")
    kept = organisation_erase(organisation=owner.organisation)
    assert kept == 1
    record = Proposal.objects.get(pk=proposal.pk)
    assert record.organisation is None
    assert "Secret" not in record.title
    assert record.abstract == ""
    assert not Speaker.objects.filter(proposal=record).exists()
    assert (record.state, record.format, record.sponsor_tier) == ("rejected", "talk", "startup")
    assert record.topics.exists()
    assert not Organisation.objects.filter(pk=owner.organisation_id).exists()


def test_submission_snapshots_the_sponsor_and_first_time_flag():
    from expo.proposals.services import proposal_submit
    from tests.factories import ConferenceFactory, ProposalFactory

    owner = MembershipFactory(role="owner", organisation__region="asia")
    earlier = ConferenceFactory()
    later = ConferenceFactory(
        starts_on=earlier.starts_on.replace(year=earlier.starts_on.year + 1),
        ends_on=earlier.ends_on.replace(year=earlier.ends_on.year + 1),
    )
    first = ProposalFactory(organisation=owner.organisation, conference=earlier)
    proposal_submit(proposal=first, by=owner.user)
    second = ProposalFactory(organisation=owner.organisation, conference=later)
    proposal_submit(proposal=second, by=owner.user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.sponsor_region == "asia"
    assert first.first_time_sponsor is True
    assert second.first_time_sponsor is False


def test_admin_erase_action(client):
    from tests.factories import AdminFactory, ProposalFactory

    proposal = ProposalFactory(state="accepted")
    client.force_login(AdminFactory())
    response = client.post(
        reverse("admin:sponsors_organisation_changelist"),
        {
            "action": "erase_keeping_anonymised_decisions",
            "_selected_action": [proposal.organisation_id],
        },
        follow=True,
    )
    assert "anonymised proposal records kept" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.organisation is None


def test_invitation_is_not_made_when_its_email_cannot_be_sent(client, settings):
    owner = MembershipFactory(role="owner")
    first, _ = invitation_create(
        organisation=owner.organisation,
        email="late@example.org",
        by=owner.user,
        accept_url_template="/i/{token}",
    )
    # A real SMTP backend aimed at a port where nothing listens: the send fails.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    response = invite(client, owner, "late@example.org")
    assert response.status_code == 400
    assert "could not be sent just now" in response.content.decode()
    assert Invitation.objects.filter(email="late@example.org").count() == 1
    first.refresh_from_db()
    assert first.is_pending, "the earlier invitation still works"
