"""The relevance model pages and the admins' actions: who may see and do what, what the pages
say, their charts, bad input, and the number of queries they make."""

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ranking.models import ModelEventAction, RelevanceModel, RelevanceModelEvent
from ranking.services import relevance_model_train
from tests.factories import ChairFactory, ConferenceFactory
from tests.ranking.pages_helpers import scored_and_decided, world
from tests.ranking.relevance_helpers import decided_proposals, past_conference

pytestmark = pytest.mark.django_db

CHARTS = [
    ("calibration", "?version=1"),
    ("online-calibration", ""),
    ("drift", ""),
    ("slices", "?version=1"),
    ("compare-calibration", "?version=2"),
    ("compare-slices", "?version=2"),
    ("analysis-groups", ""),
    ("analysis-terms", ""),
]


def page_urls(slug: str) -> list[str]:
    return [
        reverse("ranking:monitoring", args=[slug]),
        reverse("ranking:analysis", args=[slug]),
        reverse("ranking:version", args=[slug, 1]),
        reverse("ranking:version", args=[slug, 2]),
        reverse("ranking:compare", args=[slug, 2]),
    ] + [reverse("ranking:chart", args=[slug, kind]) + query for kind, query in CHARTS]


def actions(slug: str) -> list[tuple[str, dict[str, str]]]:
    return [
        (reverse("ranking:promote", args=[slug, 2]), {"action": "rule"}),
        (reverse("ranking:promote", args=[slug, 2]), {"action": "override", "reason": "Newer."}),
        (reverse("ranking:rollback", args=[slug]), {}),
        (reverse("ranking:shadow", args=[slug, 2]), {"action": "stop"}),
    ]


def registry(conference) -> list[tuple[int, str]]:
    return list(
        RelevanceModel.objects.filter(conference=conference)
        .order_by("version")
        .values_list("version", "status")
    )


def test_anonymous_visitor_is_sent_to_login_for_every_page_and_action(client):
    w = world()
    before = registry(w.conference)
    for url in [*page_urls(w.conference.slug), reverse("ranking:index")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    for url, data in actions(w.conference.slug):
        assert client.post(url, data).status_code == 302, url
    assert registry(w.conference) == before


@pytest.mark.parametrize("role", ["sponsor", "other_chair"])
def test_sponsor_and_other_conferences_cochair_get_404_everywhere(client, role):
    w = world()
    before = registry(w.conference)
    client.force_login(getattr(w, role))
    for url in page_urls(w.conference.slug):
        assert client.get(url).status_code == 404, url
    for url, data in actions(w.conference.slug):
        assert client.post(url, data).status_code == 404, url
    assert registry(w.conference) == before
    assert not RelevanceModelEvent.objects.filter(actor=getattr(w, role)).exists()


def test_sponsor_has_no_relevance_index():
    w = world(shadow=False)
    from django.test import Client

    client = Client()
    client.force_login(w.sponsor)
    assert client.get(reverse("ranking:index")).status_code == 404


def test_cochair_sees_every_page_and_chart_but_may_not_act(client):
    w = world()
    before = registry(w.conference)
    client.force_login(w.chair)
    for url in page_urls(w.conference.slug):
        assert client.get(url).status_code == 200, url
    for url, data in actions(w.conference.slug):
        assert client.post(url, data).status_code == 403, url
    assert registry(w.conference) == before
    monitoring = client.get(reverse("ranking:monitoring", args=[w.conference.slug]))
    assert b"Roll back" not in monitoring.content
    version = client.get(reverse("ranking:version", args=[w.conference.slug, 2])).content
    assert b"Activate despite the rule" not in version


def test_cochair_index_leads_to_their_conference(client):
    w = world(shadow=False)
    client.force_login(w.chair)
    response = client.get(reverse("ranking:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("ranking:monitoring", args=[w.conference.slug])


def test_admin_sees_every_page_with_the_actions(client):
    w = world()
    client.force_login(w.admin)
    for url in page_urls(w.conference.slug):
        assert client.get(url).status_code == 200, url
    version = client.get(reverse("ranking:version", args=[w.conference.slug, 2])).content.decode()
    assert "Activate if the rule allows" in version
    assert "Activate despite the rule" in version
    assert "Stop the shadow" in version


def test_monitoring_page_lists_versions_with_metrics_fingerprint_status_and_reason(client):
    w = world()
    client.force_login(w.chair)
    html = client.get(reverse("ranking:monitoring", args=[w.conference.slug])).content.decode()
    active = w.active
    assert floatformat(active.auc, 3) in html
    assert floatformat(active.brier, 4) in html
    assert active.training_fingerprint[:12] in html
    assert "No version was active." in html
    assert "Shadow (scored, not shown)" in html
    assert "Active" in html
    assert "after submitting their own review" in html
    # The record of changes shows the shadow started by the admin.
    assert w.admin.email in html
    assert "Shadow started" in html


def test_monitoring_page_shows_online_auc_once_decisions_arrive(client):
    w = world()
    scored_and_decided(w.conference, 12)
    client.force_login(w.chair)
    response = client.get(reverse("ranking:monitoring", args=[w.conference.slug]))
    online = response.context["data"].online
    assert online.report is not None
    assert online.n_scored_before_decision == 12
    assert floatformat(online.report.auc, 3) in response.content.decode()


def test_version_page_shows_offline_evaluation_per_slice_and_top_terms(client):
    w = world(shadow=False)
    client.force_login(w.chair)
    html = client.get(reverse("ranking:version", args=[w.conference.slug, 1])).content.decode()
    metrics = w.active.metrics
    low, high = floatformat(metrics["auc_ci_low"], 3), floatformat(metrics["auc_ci_high"], 3)
    assert f"{low}–{high}" in html
    assert "Calibration table" in html
    assert "Startup" in html  # sponsor tier group, named for people
    assert "Asia" in html
    assert w.active.top_terms["raising"][0]["term"] in html


def test_charts_are_svg_images_with_their_own_strict_policy(client):
    w = world()
    client.force_login(w.chair)
    for kind, query in CHARTS:
        response = client.get(reverse("ranking:chart", args=[w.conference.slug, kind]) + query)
        assert response["Content-Type"] == "image/svg+xml", kind
        assert response.content.lstrip().startswith(b"<?xml"), kind
        assert b"<script" not in response.content, kind
        policy = response["Content-Security-Policy"]
        assert "default-src 'none'" in policy, kind
        assert "script-src" not in policy, kind


def test_pages_embed_charts_only_as_images(client):
    w = world()
    client.force_login(w.chair)
    for name in ("monitoring", "analysis"):
        html = client.get(reverse(f"ranking:{name}", args=[w.conference.slug])).content.decode()
        assert "<svg" not in html
        assert 'src="/ranking/' in html
        assert "style=" not in html
        assert "<script" not in html


def test_unknown_chart_version_or_missing_version_is_404(client):
    w = world(shadow=False)
    client.force_login(w.chair)
    slug = w.conference.slug
    assert client.get(reverse("ranking:chart", args=[slug, "pie"])).status_code == 404
    assert client.get(reverse("ranking:chart", args=[slug, "calibration"])).status_code == 404
    chart = reverse("ranking:chart", args=[slug, "calibration"]) + "?version=x"
    assert client.get(chart).status_code == 404
    assert client.get(reverse("ranking:version", args=[slug, 9])).status_code == 404
    assert client.get(reverse("ranking:compare", args=[slug, 9])).status_code == 404
    assert client.get(reverse("ranking:monitoring", args=["no-such"])).status_code == 404


def test_admin_promotes_by_rule_and_the_change_is_recorded(client):
    w = world()
    client.force_login(w.admin)
    candidate = RelevanceModel.objects.get(conference=w.conference, version=2)
    candidate.metrics = {**candidate.metrics, "auc": 0.99, "brier": 0.01}
    candidate.save(update_fields=["metrics"])
    response = client.post(
        reverse("ranking:promote", args=[w.conference.slug, 2]), {"action": "rule"}, follow=True
    )
    assert response.status_code == 200
    assert registry(w.conference) == [(1, "retired"), (2, "active")]
    event = RelevanceModelEvent.objects.filter(action=ModelEventAction.PROMOTED).latest("pk")
    assert event.actor == w.admin
    assert event.model.version == 2
    assert "v2 is active" in response.content.decode()


def test_rule_refusal_is_explained_and_changes_nothing(client):
    w = world()
    client.force_login(w.admin)
    candidate = RelevanceModel.objects.get(conference=w.conference, version=2)
    candidate.metrics = {**candidate.metrics, "auc": 0.01, "brier": 0.9}
    candidate.save(update_fields=["metrics"])
    response = client.post(
        reverse("ranking:promote", args=[w.conference.slug, 2]), {"action": "rule"}, follow=True
    )
    assert "was not activated" in response.content.decode()
    assert registry(w.conference) == [(1, "active"), (2, "shadow")]


def test_override_needs_a_reason_and_records_it(client):
    w = world()
    client.force_login(w.admin)
    candidate = RelevanceModel.objects.get(conference=w.conference, version=2)
    candidate.metrics = {**candidate.metrics, "auc": 0.01, "brier": 0.9}
    candidate.save(update_fields=["metrics"])
    url = reverse("ranking:promote", args=[w.conference.slug, 2])
    refused = client.post(url, {"action": "override", "reason": "   "})
    assert refused.status_code == 400
    assert "An override needs a reason." in refused.content.decode()
    assert registry(w.conference) == [(1, "active"), (2, "shadow")]
    client.post(url, {"action": "override", "reason": "The old one learnt last year's bias."})
    candidate.refresh_from_db()
    assert candidate.status == RelevanceModel.Status.ACTIVE
    assert candidate.promotion_overridden
    assert "last year's bias" in candidate.promotion_reason
    event = RelevanceModelEvent.objects.get(action=ModelEventAction.OVERRIDDEN)
    assert event.actor == w.admin
    assert event.details["override_reason"] == "The old one learnt last year's bias."


def test_admin_rolls_back_from_the_page(client):
    w = world(shadow=False)
    decided_proposals(past_conference(years_ago=2), n=10, seed=1)
    second = relevance_model_train(conference=w.conference)
    second.metrics = {**second.metrics, "auc": 0.99, "brier": 0.01}
    second.save(update_fields=["metrics"])
    client.force_login(w.admin)
    client.post(reverse("ranking:promote", args=[w.conference.slug, 2]), {"action": "rule"})
    monitoring = client.get(reverse("ranking:monitoring", args=[w.conference.slug]))
    assert b"Roll back to the previous version" in monitoring.content
    client.post(reverse("ranking:rollback", args=[w.conference.slug]))
    assert registry(w.conference) == [(1, "active"), (2, "retired")]
    assert RelevanceModelEvent.objects.filter(
        action=ModelEventAction.ROLLED_BACK, actor=w.admin
    ).exists()


def test_rollback_without_a_previous_version_says_so(client):
    w = world(shadow=False)
    client.force_login(w.admin)
    response = client.post(reverse("ranking:rollback", args=[w.conference.slug]), follow=True)
    assert "nothing to roll back to" in response.content.decode()
    assert registry(w.conference) == [(1, "active")]


def test_admin_starts_and_stops_a_shadow_from_the_page(client):
    w = world()
    client.force_login(w.admin)
    url = reverse("ranking:shadow", args=[w.conference.slug, 2])
    client.post(url, {"action": "stop"})
    assert registry(w.conference) == [(1, "active"), (2, "candidate")]
    client.post(url, {"action": "start"})
    assert registry(w.conference) == [(1, "active"), (2, "shadow")]
    response = client.post(url, {"action": "explode"}, follow=True)
    assert "Choose to start or to stop" in response.content.decode()
    assert registry(w.conference) == [(1, "active"), (2, "shadow")]
    active = client.post(
        reverse("ranking:shadow", args=[w.conference.slug, 1]), {"action": "start"}, follow=True
    )
    assert "already shown" in active.content.decode()
    assert registry(w.conference) == [(1, "active"), (2, "shadow")]


def test_actions_refuse_get(client):
    w = world(shadow=False)
    client.force_login(w.admin)
    assert client.get(reverse("ranking:rollback", args=[w.conference.slug])).status_code == 405
    assert client.get(reverse("ranking:promote", args=[w.conference.slug, 1])).status_code == 405


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_monitoring_and_comparison_pages_make_the_same_queries_for_1_and_30_proposals(client):
    w = world()
    scored_and_decided(w.conference, 30)
    small = ConferenceFactory(starts_on=w.conference.starts_on)
    ChairFactory(conference=small, user=w.chair)
    from ranking.services import (
        relevance_model_promote,
        relevance_model_shadow_start,
    )

    relevance_model_promote(model=relevance_model_train(conference=small))
    relevance_model_shadow_start(model=relevance_model_train(conference=small, seed=1), by=w.admin)
    scored_and_decided(small, 1)
    client.force_login(w.chair)
    for name, args in (("monitoring", []), ("compare", [2]), ("version", [1])):
        many = count_queries(client, reverse(f"ranking:{name}", args=[w.conference.slug, *args]))
        one = count_queries(client, reverse(f"ranking:{name}", args=[small.slug, *args]))
        assert many == one, name
