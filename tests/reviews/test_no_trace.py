"""A conflicted cochair finds no trace of the proposal: not in lists, search, counts, detail,
neighbours, calibration, e-mails, exports or the API."""

import pytest
from django.urls import reverse

from reviews import services
from tests.factories import MembershipFactory
from tests.reviews.factories import decide, submit_review, submitted_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(conference, proposal, chair1, chair2, insider):
    """The conflicted proposal is reviewed (with disagreement), decided and e-mailed; the
    insider has reviewed another proposal, so they see scores and calibration figures."""
    MembershipFactory(organisation=proposal.organisation)
    submit_review(chair1, proposal, 1)
    submit_review(chair2, proposal, 5)
    decide(chair1, proposal, "accept", "Insider Labs' forklift planner fits the Expo.")
    proposal.refresh_from_db()
    services.notifications_queue(
        by=chair1, conference=conference, proposals=[proposal], url_for=lambda p: "https://x/"
    )
    visible = [submitted_proposal(conference, title=f"Open proposal {i}") for i in range(3)]
    for item in visible:
        submit_review(insider, item, 2)
        submit_review(chair1, item, 3)
    return proposal, visible


def traces(proposal):
    return [
        proposal.title,
        "secret roadmap",
        "forklift planner",
        proposal.organisation.name,
        f"/p/{proposal.pk}/",
        f'name="proposals" value="{proposal.pk}"',
        f"version_{proposal.pk}",
    ]


def assert_no_trace(text, proposal, where):
    for trace in traces(proposal):
        assert trace not in text, f"{trace!r} leaks in {where}"


def test_conflicted_cochair_finds_no_trace_anywhere(client, conference, scene, insider, chair1):
    proposal, visible = scene
    slug = conference.slug
    # Sanity: an unconflicted chair does see it, so the checks below can fail.
    client.force_login(chair1)
    assert proposal.title in client.get(reverse("reviews:dashboard", args=[slug])).content.decode()
    assert proposal.title in client.get(f"/api/v1/review/{slug}/proposals/").content.decode()

    client.force_login(insider)
    pages = [
        reverse("reviews:index"),
        reverse("reviews:dashboard", args=[slug]),
        reverse("reviews:dashboard", args=[slug]) + "?q=forklift",
        reverse("reviews:dashboard", args=[slug]) + "?q=Insider",
        reverse("reviews:dashboard", args=[slug]) + "?state=all&sort=-spread",
        reverse("reviews:dashboard", args=[slug]) + "?disagree=on",
        reverse("reviews:dashboard", args=[slug]) + "?state=accepted",
        reverse("reviews:calibration", args=[slug]),
        reverse("reviews:notifications", args=[slug]),
        reverse("reviews:notifications", args=[slug]) + f"?proposals={proposal.pk}",
        reverse("reviews:template-edit", args=[slug, "accept"]),
        reverse("reviews:bulk-decide", args=[slug]) + f"?proposals={proposal.pk}",
        reverse("api:proposal-list") if _has_api_namespace() else "/api/v1/proposals/",
        f"/api/v1/review/{slug}/proposals/",
        f"/api/v1/review/{slug}/proposals/?search=Insider",
    ]
    # Every neighbour link of every visible proposal, in every order.
    for item in visible:
        for sort in ("submitted", "-score", "title", "-normalised"):
            pages.append(reverse("reviews:proposal", args=[slug, item.pk]) + f"?sort={sort}")
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 400), url
        assert_no_trace(response.content.decode(), proposal, url)
        if "?q=" in url:
            assert "No proposal matches these filters" in response.content.decode()

    for url in (
        reverse("reviews:proposal", args=[slug, proposal.pk]),
        reverse("reviews:decide", args=[slug, proposal.pk]),
        reverse("reviews:declare-conflict", args=[slug, proposal.pk]),
        reverse("reviews:attachment", args=[slug, proposal.pk]),
        f"/api/v1/proposals/{proposal.pk}/",
        f"/api/v1/review/{slug}/proposals/{proposal.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert_no_trace(response.content.decode(), proposal, url)

    export = client.get(reverse("reviews:export", args=[slug]) + "?state=all")
    text = b"".join(export.streaming_content).decode()
    assert_no_trace(text, proposal, "CSV export")
    assert len(text.strip().splitlines()) == 1 + len(visible)


def test_counts_leave_the_conflicted_proposal_out(client, conference, scene, insider):
    _proposal, visible = scene
    client.force_login(insider)
    body = client.get(reverse("reviews:dashboard", args=[conference.slug])).content.decode()
    assert f"<strong>{len(visible)} of {len(visible)}</strong> reviewed by you" in body
    assert "Chairs disagree <b>" in body
    # The conflicted proposal is the only one with disagreement, and it is not counted.
    assert "Chairs disagree <b>0</b>" in body


def test_calibration_of_a_conflicted_chair_leaves_out_hidden_reviews(
    conference, scene, insider, chair1
):
    from reviews.selectors import calibration_report

    proposal, visible = scene
    mine = calibration_report(user=insider, conference=conference)
    theirs = calibration_report(user=chair1, conference=conference)
    assert mine.review_count == 2 * len(visible)
    assert theirs.review_count == 2 * len(visible) + 2
    assert all(row.proposal != proposal for row in mine.discuss_first)


def _has_api_namespace():
    from django.urls import NoReverseMatch

    try:
        reverse("api:proposal-list")
    except NoReverseMatch:
        return False
    return True
