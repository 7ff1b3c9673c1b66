"""The review page in a real browser: live weighted score, draft autosave (and its conflict
with another tab), Ctrl+Enter to submit and go on, j/k to move through the list."""

import re

import pytest

from reviews import services
from reviews.models import Review
from tests.factories import PASSWORD, ChairFactory, ConferenceFactory
from tests.reviews.factories import criteria_of, submitted_proposal

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def test_review_with_keyboard_and_autosave(page, live_server):
    conference = ConferenceFactory(slug="browser2027")
    chair = ChairFactory(conference=conference).user
    first = submitted_proposal(conference, title="Alpha: offline evaluation")
    second = submitted_proposal(conference, title="Bravo: bandits in production")
    criteria = criteria_of(conference)
    log_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/review/{conference.slug}/p/{first.pk}/?sort=title")

    # Scores update the weighted score at once; the draft saves itself.
    for criterion, score in zip(criteria, ["5", "4", "3"], strict=True):
        page.click(f"fieldset:has(legend:text-is(\"{criterion.name}\")) label:has-text('{score}')")
    assert page.inner_text("[data-weighted]") == "4.00"
    page.click("label:has-text('Weak accept')")
    page.click("fieldset:has(legend:text-is('Your confidence')) label:has-text('4')")
    page.fill("#id_rationale", "A real research demo with an honest evaluation section.")
    page.wait_for_selector("[data-autosave-status]:has-text('Draft saved')")
    review = Review.objects.get(reviewer=chair, proposal=first)
    assert review.draft["rationale"].startswith("A real research demo")
    assert review.version == 0

    # Another tab saves a newer draft: this tab must not overwrite it silently.
    services.review_autosave(
        reviewer=chair,
        proposal=first,
        data=services.ReviewData(rationale="Typed in the other tab."),
        expected_draft_version=review.draft_version,
    )
    page.fill("#id_private_comment", "Ask them about the baselines.")
    page.wait_for_selector("[data-autosave-conflict]:visible")
    assert Review.objects.get(pk=review.pk).draft["rationale"] == "Typed in the other tab."
    page.click("[data-autosave-overwrite]")
    page.wait_for_selector("[data-autosave-status]:has-text('Draft saved')")
    kept = Review.objects.get(pk=review.pk).draft
    assert kept["private_comment"] == "Ask them about the baselines."

    # Ctrl+Enter submits and opens the next proposal of the list.
    page.click("h1")  # leave the text field, as a reviewer would
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(rf"/p/{second.pk}/"))
    review.refresh_from_db()
    assert review.version == 1
    assert review.weighted_score == pytest.approx(4.0)

    # k goes back, j forward again.
    page.keyboard.press("k")
    page.wait_for_url(re.compile(rf"/p/{first.pk}/"))
    assert "Your review" in page.inner_text("aside")
    page.keyboard.press("j")
    page.wait_for_url(re.compile(rf"/p/{second.pk}/"))
