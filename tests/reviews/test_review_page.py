"""The review page: proposal and form side by side, autosave endpoint, submit and go next,
stale submissions, forged posts."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reviews.models import Review
from tests.reviews.factories import criteria_of, submit_review, submitted_proposal

pytestmark = pytest.mark.django_db

TYPED = "My long, carefully typed rationale that must survive a conflict."


def form_data(conference, score="4", **extra):
    data = {f"score_{c.pk}": score for c in criteria_of(conference)}
    data.update(
        recommendation="weak_accept",
        confidence="3",
        rationale=TYPED,
        private_comment="",
        expected_version="0",
        expected_draft_version="0",
        action="submit",
    )
    data.update(extra)
    return data


def url(conference, proposal, name="reviews:proposal"):
    return reverse(name, args=[conference.slug, proposal.pk])


def test_page_shows_proposal_criteria_guidance_and_shortcuts(client, conference, proposal, chair1):
    client.force_login(chair1)
    body = client.get(url(conference, proposal)).content.decode()
    assert "secret roadmap for autonomous forklifts" in body
    for criterion in criteria_of(conference):
        assert criterion.name.replace("'", "&#x27;") in body
    assert "data-autosave-url" in body
    assert "reviews.js" in body
    assert "<script>" not in body.replace("<script src=", ""), "no inline scripts (CSP)"
    assert "Keyboard shortcuts" in body


def test_submitting_from_the_page_saves_and_shows_the_weighted_score(
    client, conference, proposal, chair1
):
    client.force_login(chair1)
    response = client.post(url(conference, proposal), form_data(conference, "5"))
    assert response.status_code == 302
    review = Review.objects.get(reviewer=chair1)
    assert review.version == 1
    assert review.weighted_score == 5.0
    page = client.get(response["Location"]).content.decode()
    assert "weighted score 5.00" in page


def test_submit_and_next_goes_to_the_next_proposal_of_the_list(
    client, conference, proposal, chair1
):
    second = submitted_proposal(conference, title="Second in the list")
    client.force_login(chair1)
    response = client.post(
        url(conference, proposal),
        form_data(conference, action="submit_next", list_query="mine=missing"),
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url(conference, second))
    assert "mine=missing" in response["Location"]


def test_next_and_previous_links_follow_the_dashboard_order(client, conference, chair1):
    a = submitted_proposal(conference, title="Alpha")
    b = submitted_proposal(conference, title="Bravo")
    c = submitted_proposal(conference, title="Charlie")
    client.force_login(chair1)
    body = client.get(url(conference, b) + "?sort=-title").content.decode()
    assert f'data-key-prev href="{url(conference, c)}?sort=-title"' in body
    assert f'data-key-next href="{url(conference, a)}?sort=-title"' in body
    assert "2 of 3 in this list" in body


def test_stale_submission_shows_the_newer_version_and_keeps_the_typed_text(
    client, conference, proposal, chair1
):
    submit_review(chair1, proposal, 2, rationale="Version one, written in the other tab.")
    client.force_login(chair1)
    response = client.post(url(conference, proposal), form_data(conference, "5"))
    assert response.status_code == 409
    body = response.content.decode()
    assert "A newer version of your review exists" in body
    assert "Version one, written in the other tab." in body
    assert TYPED in body
    assert 'name="expected_version" value="1"' in body
    assert Review.objects.get().weighted_score == 2.0
    # Submitting again on purpose replaces it.
    again = client.post(url(conference, proposal), form_data(conference, "5", expected_version="1"))
    assert again.status_code == 302
    assert Review.objects.get().version == 2


def test_missing_rationale_is_shown_on_the_form(client, conference, proposal, chair1):
    client.force_login(chair1)
    response = client.post(url(conference, proposal), form_data(conference, rationale=""))
    assert response.status_code == 400
    assert "at least 20 characters" in response.content.decode()
    assert not Review.objects.filter(version__gt=0).exists()


def test_out_of_scale_score_post_is_refused(client, conference, proposal, chair1):
    client.force_login(chair1)
    response = client.post(url(conference, proposal), form_data(conference, "9"))
    assert response.status_code == 400
    assert "outside the scale" in response.content.decode()
    assert not Review.objects.exists()


def test_forged_criterion_field_is_refused(client, conference, proposal, chair1):
    from tests.factories import ConferenceFactory

    foreign = criteria_of(ConferenceFactory())[0]
    client.force_login(chair1)
    response = client.post(
        url(conference, proposal), {**form_data(conference), f"score_{foreign.pk}": "5"}
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_post_for_a_proposal_of_another_conference_is_a_404(client, conference, chair1):
    from tests.factories import ConferenceFactory

    foreign = submitted_proposal(ConferenceFactory())
    client.force_login(chair1)
    response = client.post(url(conference, foreign), form_data(conference))
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_autosave_endpoint_saves_drafts_and_reports_conflicts(client, conference, proposal, chair1):
    client.force_login(chair1)
    endpoint = url(conference, proposal, "reviews:autosave")
    first = client.post(endpoint, form_data(conference, rationale="half a thought"))
    assert first.status_code == 200
    assert first.json()["ok"]
    assert first.json()["draft_version"] == 1
    stale = client.post(endpoint, form_data(conference, rationale="other tab"))
    assert stale.status_code == 409
    assert stale.json()["stale"]
    assert stale.json()["draft_version"] == 1
    assert Review.objects.get().draft["rationale"] == "half a thought"
    forced = client.post(endpoint, {**form_data(conference, rationale="keep mine"), "force": "1"})
    assert forced.status_code == 200
    assert Review.objects.get().draft["rationale"] == "keep mine"
    # The page reloads with the draft, not the empty form.
    assert "keep mine" in client.get(url(conference, proposal)).content.decode()


def test_autosave_refuses_out_of_scale(client, conference, proposal, chair1):
    client.force_login(chair1)
    response = client.post(
        url(conference, proposal, "reviews:autosave"), form_data(conference, "7")
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_chair_downloads_the_attachment(client, conference, proposal, chair1, insider):
    proposal.attachment.save("slides.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    proposal.attachment_type = "application/pdf"
    proposal.save()
    client.force_login(chair1)
    response = client.get(url(conference, proposal, "reviews:attachment"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(insider)
    assert client.get(url(conference, proposal, "reviews:attachment")).status_code == 404
