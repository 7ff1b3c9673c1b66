"""The fairness dashboard: who may see it, what a conflicted cochair sees, small cells, exports,
charts and the number of queries a page makes."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from expo.conferences.models import Topic, Track
from tests.factories import AdminFactory, ChairFactory, ConferenceFactory
from tests.fairness.conftest import add_proposals

pytestmark = pytest.mark.django_db

STAGES = ("reviewed", "accepted", "model")


def urls(slug: str, stage: str = "accepted") -> list[str]:
    return [
        reverse("fairness:dashboard", args=[slug]),
        reverse("fairness:stage", args=[slug, stage]),
        reverse("fairness:export-csv", args=[slug, stage]),
        reverse("fairness:export-json", args=[slug, stage]),
        reverse("fairness:chart", args=[slug, stage, "rates", "region"]),
        reverse("fairness:drilldown", args=[slug, stage]) + "?attribute=region&value=europe",
    ]


def test_anonymous_visitor_is_sent_to_login(client, conference, decided):
    for url in urls(conference.slug):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_sponsor_gets_404_everywhere(client, conference, sponsor):
    client.force_login(sponsor)
    assert client.get(reverse("fairness:index")).status_code == 404
    for url in urls(conference.slug):
        assert client.get(url).status_code == 404, url


def test_cochair_of_another_conference_gets_404(client, conference, decided, other_chair):
    client.force_login(other_chair)
    for url in urls(conference.slug):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", ["chair", "insider_chair", "admin"])
def test_cochairs_and_admins_open_every_stage(client, conference, decided, role, request):
    client.force_login(request.getfixturevalue(role))
    for stage in STAGES:
        response = client.get(reverse("fairness:stage", args=[conference.slug, stage]))
        assert response.status_code == 200, stage
    for url in urls(conference.slug):
        assert client.get(url).status_code == 200, url


def test_index_lists_only_chaired_conferences(client, conference, chair):
    other = ConferenceFactory(name="Another Conference")
    ChairFactory(conference=other, user=chair)
    client.force_login(chair)
    response = client.get(reverse("fairness:index"))
    assert conference.name in response.content.decode()
    assert "Another Conference" in response.content.decode()
    assert ConferenceFactory(name="Not Chaired").name not in response.content.decode()


def test_unknown_stage_chart_or_slice_is_404(client, conference, decided, chair):
    client.force_login(chair)
    slug = conference.slug
    assert client.get(reverse("fairness:stage", args=[slug, "hired"])).status_code == 404
    assert (
        client.get(reverse("fairness:chart", args=[slug, "accepted", "pie", "region"])).status_code
        == 404
    )
    assert (
        client.get(reverse("fairness:chart", args=[slug, "accepted", "rates", "x"])).status_code
        == 404
    )
    assert (
        client.get(reverse("fairness:chart", args=[slug, "model", "rates", "region"])).status_code
        == 404
    )
    drill = reverse("fairness:drilldown", args=[slug, "accepted"])
    assert client.get(drill + "?attribute=region&value=atlantis").status_code == 404
    assert client.get(drill + "?attribute=salary&value=high").status_code == 404
    assert client.get(drill).status_code == 404


def test_conflicted_cochair_counts_leave_out_conflicted_proposals(
    client, conference, decided, insider_chair, admin
):
    url = reverse("fairness:stage", args=[conference.slug, "accepted"])
    client.force_login(admin)
    admin_view = client.get(url).context["view"]
    client.force_login(insider_chair)
    response = client.get(url)
    view = response.context["view"]
    assert admin_view.raw["overall"]["n"] == 43
    assert view.raw["overall"]["n"] == 39, "Insider Labs' 4 proposals are not counted"
    assert view.raw["overall"]["positives"] == 16
    assert response.context["funnel"]["submitted"] == 39
    assert view.row("region", "north_america") is None, "no slice made only of them"
    assert "4 proposals you are conflicted with are left out" in response.content.decode()
    exported = json.loads(
        client.get(reverse("fairness:export-json", args=[conference.slug, "accepted"])).content
    )
    assert exported["overall"]["n"] == 39


def test_drilldown_never_lists_a_conflicted_proposal(
    client, conference, decided, chair, insider_chair, admin
):
    for proposal in decided["insider"]:
        proposal.title = f"Insider secret plan {proposal.pk}"
        proposal.save()
    # Every proposal has the first topic, so this slice holds all of them.
    url = reverse("fairness:drilldown", args=[conference.slug, "accepted"])
    url += "?attribute=topic:0&value=yes"
    client.force_login(insider_chair)
    page = client.get(url)
    assert page.status_code == 200
    assert "Insider secret plan" not in page.content.decode()
    assert len(page.context["proposals"]) == 39
    for viewer in (chair, admin):
        client.force_login(viewer)
        page = client.get(url)
        assert page.content.decode().count("Insider secret plan") == 4
        assert len(page.context["proposals"]) == 43


def test_small_cells_say_fewer_than_5_in_page_and_exports(client, conference, decided, admin):
    client.force_login(admin)
    page = client.get(reverse("fairness:stage", args=[conference.slug, "accepted"]))
    view = page.context["view"]
    assert view.row("region", "oceania").suppressed
    assert view.row("region", "north_america").suppressed
    assert not view.row("region", "europe").suppressed
    html = page.content.decode()
    assert "fewer than 5 (not shown" in html
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(
                        reverse("fairness:export-csv", args=[conference.slug, "accepted"])
                    ).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    header, body = rows[0], rows[1:]
    oceania = next(r for r in body if r[1] == "Oceania")
    assert oceania[header.index("n")] == "fewer than 5"
    assert oceania[header.index("rate")] == ""
    assert oceania[header.index("positives")] == ""
    assert oceania[header.index("explanation")] == ""
    europe = next(r for r in body if r[1] == "Europe")
    assert europe[header.index("n")] == "24"
    assert europe[header.index("positives")] == "12"
    exported = json.loads(
        client.get(reverse("fairness:export-json", args=[conference.slug, "accepted"])).content
    )
    oceania_json = next(s for s in exported["slices"] if s["value"] == "Oceania")
    assert oceania_json == {
        "group": "Region",
        "value": "Oceania",
        "suppressed": True,
        "n": "fewer than 5",
    }


def test_a_cell_that_subtraction_would_reveal_is_suppressed_too(
    client, conference, decided, insider_chair
):
    """Without Insider Labs' 4 proposals, Oceania (3) is the only small region: Asia (12) is
    hidden as well, or Oceania would be the total minus the regions shown."""
    client.force_login(insider_chair)
    view = client.get(reverse("fairness:stage", args=[conference.slug, "accepted"])).context["view"]
    assert view.row("region", "oceania").suppressed
    assert view.row("region", "asia").suppressed
    assert not view.row("region", "europe").suppressed


def test_drilldown_of_a_suppressed_slice_lists_nothing(client, conference, decided, chair):
    client.force_login(chair)
    url = reverse("fairness:drilldown", args=[conference.slug, "accepted"])
    page = client.get(url + "?attribute=region&value=oceania")
    assert page.status_code == 200
    assert page.context["proposals"] == []
    assert "not listed" in page.content.decode()


def test_csv_export_escapes_cells_that_spreadsheets_run_as_formulas(
    client, conference, decided, admin
):
    track = Track.objects.create(
        conference=conference, name='=HYPERLINK("http://x.example")', format="talk"
    )
    topic = Topic.objects.create(conference=conference, name="@SUM(1+1)", position=9)
    for proposal in decided["europe"]:
        proposal.track = track
        proposal.save()
        proposal.topics.add(topic)
    client.force_login(admin)
    response = client.get(reverse("fairness:export-csv", args=[conference.slug, "accepted"]))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    values = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x.example")' in values
    assert "'@SUM(1+1)" in values
    assert not any(
        v.startswith(("=", "+", "-", "@"))
        for row in rows
        for v in row
        if not v.replace(".", "").replace("-", "").isdigit()
    )
    assert "attachment" in response["Content-Disposition"]


def test_chart_is_an_svg_in_which_a_hostile_label_stays_inert(client, conference, decided, chair):
    track = Track.objects.create(
        conference=conference, name="--><script>alert(1)</script><!--", format="talk"
    )
    for proposal in decided["europe"]:
        proposal.track = track
        proposal.save()
    client.force_login(chair)
    response = client.get(
        reverse("fairness:chart", args=[conference.slug, "accepted", "rates", "track"])
    )
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.lstrip().startswith("<?xml")
    assert "<svg" in body
    assert "<script" not in body
    assert "<text" not in body, "labels are drawn as paths"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]


def test_dashboard_page_keeps_the_strict_csp_and_embeds_charts_as_images(
    client, conference, decided, chair
):
    client.force_login(chair)
    response = client.get(reverse("fairness:stage", args=[conference.slug, "accepted"]))
    html = response.content.decode()
    assert "<svg" not in html
    assert "style=" not in html
    assert "<script" not in html
    assert 'src="/fairness/' in html
    assert ".svg?v=" in html
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_refresh_button_recomputes_and_needs_post(client, conference, decided, chair):
    client.force_login(chair)
    url = reverse("fairness:refresh", args=[conference.slug])
    assert client.get(url).status_code == 405
    page = client.get(reverse("fairness:stage", args=[conference.slug, "accepted"]))
    before = page.context["report"].computed_at
    response = client.post(url, {"stage": "model"})
    assert response.status_code == 302
    assert response["Location"] == reverse("fairness:stage", args=[conference.slug, "model"])
    page = client.get(reverse("fairness:stage", args=[conference.slug, "accepted"]))
    assert page.context["report"].computed_at > before, "recomputed although nothing changed"


def _dashboard_queries(client, slug: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("fairness:stage", args=[slug, "accepted"])).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["chair", "admin"])
def test_dashboard_query_count_does_not_grow_with_proposals(client, role):
    small, large = ConferenceFactory(), ConferenceFactory()
    add_proposals(small, 3, accepted=1)
    add_proposals(large, 20, accepted=8, sponsor_region="asia")
    add_proposals(large, 20, accepted=12, sponsor_region="europe", sponsor_tier="startup")
    if role == "admin":
        client.force_login(AdminFactory())
    else:
        user = ChairFactory(conference=small).user
        ChairFactory(conference=large, user=user)
        client.force_login(user)
    computing = [_dashboard_queries(client, c.slug) for c in (small, large)]
    cached = [_dashboard_queries(client, c.slug) for c in (small, large)]
    assert computing[0] == computing[1]
    assert cached[0] == cached[1]
    assert cached[1] <= 20
