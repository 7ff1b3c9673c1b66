import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from expo.proposals.models import Proposal, Speaker
from tests.factories import ConferenceFactory, ProposalFactory
from tests.proposals.post_data import proposal_post_data

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def create_url(conference):
    return reverse("proposal-create", args=[conference.slug])


def test_new_proposal_form_prefills_the_user_as_speaker(sponsor_client, conference, member):
    response = sponsor_client.get(create_url(conference))
    body = response.content.decode()
    assert response.status_code == 200
    assert member.user.email in body
    for topic in conference.topics.all():
        assert topic.name in body


def test_save_draft_then_submit(sponsor_client, conference, member):
    response = sponsor_client.post(
        create_url(conference), proposal_post_data(conference, organisation=member.organisation.pk)
    )
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("proposal-detail", args=[proposal.pk])
    assert proposal.state == "draft"
    assert proposal.created_by == member.user
    assert list(proposal.speakers.values_list("email", flat=True)) == ["ada@sponsor.example"]
    sponsor_client.post(reverse("proposal-submit", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.state == "submitted"
    assert proposal.submitted_at is not None


def test_save_and_submit_in_one_step(sponsor_client, conference, member):
    sponsor_client.post(
        create_url(conference),
        proposal_post_data(conference, organisation=member.organisation.pk, action="submit"),
    )
    assert Proposal.objects.get().state == "submitted"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"abstract": "x" * 3001}, "at most 3000 characters"),
        ({"outline": ""}, "This field is required."),
        ({"format": "keynote"}, "Select a valid choice."),
        ({"topics": []}, "This field is required."),
        ({"speakers-0-email": "ada-at-example"}, "Enter a valid email address."),
        ({"speakers-0-name": "", "speakers-0-email": ""}, "id_speakers-0-name_error"),
        (
            {"speakers-1-name": "Twin", "speakers-1-email": "ADA@sponsor.example"},
            "Each speaker needs their own e-mail address.",
        ),
    ],
)
def test_bad_input_keeps_typed_text_and_saves_nothing(
    sponsor_client, conference, member, overrides, message
):
    data = proposal_post_data(conference, organisation=member.organisation.pk, **overrides)
    data["abstract"] = overrides.get("abstract", "My carefully typed abstract about bandits.")
    response = sponsor_client.post(create_url(conference), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert "Nothing was saved yet." in body
    if "abstract" not in overrides:
        assert "My carefully typed abstract about bandits." in body
    assert not Proposal.objects.exists()
    assert not Speaker.objects.exists()


def test_topic_of_another_conference_is_refused(sponsor_client, conference, member):
    other = ConferenceFactory(topic_names=["Databases"])
    data = proposal_post_data(
        conference, organisation=member.organisation.pk, topics=[other.topics.get().pk]
    )
    response = sponsor_client.post(create_url(conference), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode() or "this conference only" in (
        response.content.decode()
    )
    assert not Proposal.objects.exists()


def test_cannot_submit_for_an_organisation_one_does_not_belong_to(
    sponsor_client, conference, member
):
    stranger = ProposalFactory().organisation
    data = proposal_post_data(conference, organisation=stranger.pk)
    response = sponsor_client.post(create_url(conference), data)
    assert response.status_code == 400
    assert not Proposal.objects.filter(organisation=stranger, conference=conference).exists()


def test_pdf_attachment_is_sniffed_and_downloadable_by_members(sponsor_client, conference, member):
    upload = SimpleUploadedFile("slides.txt", PDF_BYTES, content_type="text/plain")
    data = proposal_post_data(conference, organisation=member.organisation.pk, attachment=upload)
    sponsor_client.post(create_url(conference), data)
    proposal = Proposal.objects.get()
    assert proposal.attachment_type == "application/pdf"
    assert proposal.attachment.name.endswith(".pdf")
    assert "slides" not in proposal.attachment.name
    download = sponsor_client.get(reverse("proposal-attachment", args=[proposal.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_attachment_with_wrong_content_is_refused(sponsor_client, conference, member):
    upload = SimpleUploadedFile(
        "slides.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    data = proposal_post_data(conference, organisation=member.organisation.pk, attachment=upload)
    response = sponsor_client.post(create_url(conference), data)
    assert response.status_code == 400
    assert "is not a file type we accept" in response.content.decode()
    assert not Proposal.objects.exists()


def test_attachment_over_the_limit_is_refused(sponsor_client, conference, member, settings):
    settings.EXPO_ATTACHMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048)
    data = proposal_post_data(conference, organisation=member.organisation.pk, attachment=upload)
    response = sponsor_client.post(create_url(conference), data)
    assert response.status_code == 400
    assert "the limit is 1.0\xa0KB" in response.content.decode()
    assert not Proposal.objects.exists()


def test_pptx_attachment_is_recognised(sponsor_client, conference, member):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p/>")
    upload = SimpleUploadedFile("deck.pptx", buffer.getvalue())
    data = proposal_post_data(conference, organisation=member.organisation.pk, attachment=upload)
    sponsor_client.post(create_url(conference), data)
    assert Proposal.objects.get().attachment.name.endswith(".pptx")


def test_submitted_proposal_can_be_edited_while_cfp_is_open(sponsor_client, member):
    proposal = ProposalFactory(organisation=member.organisation, state="submitted")
    data = proposal_post_data(
        proposal.conference,
        title="A better title",
        topics=[t.pk for t in proposal.conference.topics.all()],
    )
    response = sponsor_client.post(reverse("proposal-edit", args=[proposal.pk]), data)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "A better title"
    assert proposal.state == "submitted"
    assert proposal.topics.count() == proposal.conference.topics.count()


def test_edit_form_shows_saved_values(sponsor_client, member):
    proposal = ProposalFactory(organisation=member.organisation, title="Saved title here")
    body = sponsor_client.get(reverse("proposal-edit", args=[proposal.pk])).content.decode()
    assert 'value="Saved title here"' in body
    assert proposal.speakers.get().email in body


def closed_conference():
    # Closed at 23:59 Tokyo time yesterday, i.e. 14:59 UTC.
    conference = ConferenceFactory(timezone="Asia/Tokyo")
    tokyo_now = timezone.localtime(timezone.now(), conference.tzinfo)
    closes = (tokyo_now - dt.timedelta(days=1)).replace(hour=23, minute=59, second=0, microsecond=0)
    conference.cfp_opens_at = closes - dt.timedelta(days=60)
    conference.cfp_closes_at = closes
    conference.save()
    return conference, closes


def test_cfp_closed_message_gives_deadline_in_conference_timezone(sponsor_client, member):
    conference, closes = closed_conference()
    proposal = ProposalFactory(
        conference=conference, organisation=member.organisation, state="submitted"
    )
    response = sponsor_client.get(reverse("proposal-edit", args=[proposal.pk]))
    body = response.content.decode()
    expected = f"{closes:%A %-d %B %Y}, 23:59 (Asia/Tokyo)"
    assert expected in body
    assert "can no longer be submitted or changed" in body
    data = proposal_post_data(conference, title="Sneaky late change")
    response = sponsor_client.post(reverse("proposal-edit", args=[proposal.pk]), data)
    proposal.refresh_from_db()
    assert proposal.title != "Sneaky late change"


def test_cfp_closed_blocks_new_proposals_and_submission(sponsor_client, member):
    conference, _ = closed_conference()
    data = proposal_post_data(conference, organisation=member.organisation.pk)
    response = sponsor_client.post(create_url(conference), data)
    assert "closed on" in response.content.decode()
    assert not Proposal.objects.exists()
    draft = ProposalFactory(conference=conference, organisation=member.organisation)
    response = sponsor_client.post(reverse("proposal-submit", args=[draft.pk]), follow=True)
    assert "(Asia/Tokyo)" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_cfp_deadline_is_exclusive_to_the_minute(member):
    from expo.proposals.services import CfpClosed, cfp_ensure_open

    conference, closes = closed_conference()
    cfp_ensure_open(conference=conference, now=closes - dt.timedelta(seconds=1))
    with pytest.raises(CfpClosed):
        cfp_ensure_open(conference=conference, now=closes)


def test_cfp_not_yet_open_says_when_it_opens(sponsor_client, member):
    conference = ConferenceFactory(timezone="America/Vancouver")
    conference.cfp_opens_at = timezone.now() + dt.timedelta(days=3)
    conference.cfp_closes_at = timezone.now() + dt.timedelta(days=30)
    conference.save()
    response = sponsor_client.get(create_url(conference))
    assert "opens on" in response.content.decode()
    assert "(America/Vancouver)" in response.content.decode()


def test_withdraw_asks_for_confirmation_then_withdraws(sponsor_client, member):
    proposal = ProposalFactory(organisation=member.organisation, state="submitted")
    url = reverse("proposal-withdraw", args=[proposal.pk])
    page = sponsor_client.get(url)
    assert "Yes, withdraw it" in page.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == "submitted"
    sponsor_client.post(url)
    proposal.refresh_from_db()
    assert proposal.state == "withdrawn"
    assert proposal.withdrawn_at is not None


def test_withdrawn_proposal_cannot_be_edited_or_withdrawn_again(sponsor_client, member):
    proposal = ProposalFactory(organisation=member.organisation, state="withdrawn")
    response = sponsor_client.get(reverse("proposal-edit", args=[proposal.pk]), follow=True)
    assert "can no longer be changed" in response.content.decode()
    response = sponsor_client.post(reverse("proposal-withdraw", args=[proposal.pk]), follow=True)
    assert "cannot be withdrawn" in response.content.decode()


def test_read_only_view_shows_the_submitted_proposal(sponsor_client, member):
    proposal = ProposalFactory(organisation=member.organisation, state="submitted")
    body = sponsor_client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert proposal.title in body
    assert proposal.abstract in body
    assert proposal.speakers.get().name in body
    assert "Submitted" in body


def test_draft_page_warns_that_chairs_do_not_see_it(sponsor_client, member):
    proposal = ProposalFactory(organisation=member.organisation)
    body = sponsor_client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert "the chairs do not see it until you submit it" in body


def test_user_without_organisation_is_sent_to_create_one(client, conference):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(create_url(conference))
    assert response["Location"] == reverse("organisation-create")


def test_proposal_pages_require_login(client):
    proposal = ProposalFactory()
    for name in ["proposal-detail", "proposal-edit", "proposal-withdraw", "proposal-attachment"]:
        response = client.get(reverse(name, args=[proposal.pk]))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login"))
