"""The check panel in a real browser: it updates while the sponsor types, under the strict CSP."""

import pytest

from tests.browser import shot
from tests.factories import PASSWORD, ConferenceFactory, MembershipFactory

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_panel_updates_as_the_sponsor_types(page, live_server):
    conference = ConferenceFactory(topic_names=["Computer vision", "Theory"])
    member = MembershipFactory(role="owner")
    problems: list[str] = []
    # Script errors and CSP violations; the site has no favicon, so its 404 is not counted.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", member.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    page.goto(f"{live_server.url}/{conference.slug}/proposals/new/")
    page.wait_for_selector("#insights-panel >> text=Start with the title")

    page.fill("#id_title", "Parcel damage detection")
    page.fill("#id_abstract", "Our industry-leading platform finds damaged parcels in images.")
    page.wait_for_selector("#insights-panel mark:has-text('industry-leading')")
    assert page.text_content("[data-insights-status]").startswith("Updated: 1 sales-copy flag")
    shot(page, "insights-panel-flag")

    page.fill("#id_abstract", "We detect damaged parcels in images with a calibrated detector.")
    page.wait_for_selector("#insights-panel >> text=No sentence reads like sales copy")
    assert page.locator("#insights-panel mark").count() == 0
    page.check("text=Theory")
    page.wait_for_selector("#insights-panel >> text=You ticked Theory")
    assert problems == []
