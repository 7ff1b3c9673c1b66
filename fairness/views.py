"""Pages of the fairness dashboard: per conference, for its cochairs and admins.

Anyone else gets a 404 (as for another organisation's proposal: the dashboard's existence does
not leak); anonymous visitors are sent to the login page. Every figure, chart, export and
drill-down is computed for the viewer's scope: a cochair's conflicted proposals are never
counted (``fairness.selectors.hidden_proposal_ids``).
"""

import json
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from expo.accounts.models import User
from expo.conferences.models import Conference
from fairness import selectors, services
from fairness.report import (
    GROUP_BY_KEY,
    STAGES,
    SUPPRESSED,
    export_json,
    export_rows,
    report_view,
    slice_mask,
)
from fairness.tasks import refresh_reports
from reviews.exports import csv_response

RATE_CHARTS = ("rates", "trend")
MODEL_CHARTS = ("scores", "calibration")
# An SVG opened on its own is a document: matplotlib styles its shapes with style attributes,
# which the site-wide policy forbids. The chart responses get a policy of their own that allows
# those styles and nothing else: no scripts, no fetches, no fonts (text is drawn as paths).
CHART_CSP = {"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE]}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _conference(request: HttpRequest, slug: str) -> Conference:
    conference = get_object_or_404(Conference, slug=slug)
    if not rules.has_perm("fairness.view_dashboard", request.user, conference):
        raise Http404("No such conference.")
    return conference


def _stage(stage: str) -> str:
    if stage not in STAGES:
        raise Http404("No such stage.")
    return stage


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    conferences = list(selectors.conferences_for(user=_user(request)))
    if len(conferences) == 1:
        return redirect("fairness:dashboard", slug=conferences[0].slug)
    if not conferences:
        raise Http404("You chair no conference.")
    return render(request, "fairness/index.html", {"conferences": conferences})


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str, stage: str = "accepted") -> HttpResponse:
    stage = _stage(stage)
    conference = _conference(request, slug)
    row, _ = services.report_for(user=_user(request), conference=conference, stage=stage)
    view = report_view(row.report)
    version = row.input_fingerprint[:12]
    charts = RATE_CHARTS if stage != "model" else MODEL_CHARTS
    context: dict[str, Any] = {
        "conference": conference,
        "report": row,
        "view": view,
        "stage": view.stage,
        "stages": STAGES.values(),
        "funnel": row.report.get("funnel", {}),
        "editions": row.report.get("editions", []),
        "earlier_editions": [e for e in row.report.get("editions", []) if not e["current"]],
        "sections": [
            {
                "group": group,
                "charts": {
                    kind: reverse(
                        "fairness:chart",
                        kwargs={"slug": slug, "stage": stage, "kind": kind, "group": key},
                    )
                    + f"?v={version}"
                    for kind in charts
                },
            }
            for group in view.groups
            if (key := group.group.key)
        ],
        "suppressed_label": SUPPRESSED,
    }
    template = "fairness/model.html" if stage == "model" else "fairness/dashboard.html"
    return render(request, template, context)


@login_required
@require_GET
def drilldown(request: HttpRequest, slug: str, stage: str) -> HttpResponse:
    stage = _stage(stage)
    conference = _conference(request, slug)
    attribute, value = request.GET.get("attribute", ""), request.GET.get("value", "")
    user = _user(request)
    row, scope = services.report_for(user=user, conference=conference, stage=stage)
    view = report_view(row.report)
    shown = view.row(attribute, value)
    if shown is None:
        raise Http404("No such slice in this report.")
    proposals = []
    if not shown.suppressed:
        mask = slice_mask(
            scope.table, stage=stage, hidden=scope.hidden, attribute=attribute, value=value
        )
        proposals = selectors.drilldown_proposals(
            user=user, conference=conference, proposal_ids=scope.table.proposal_id[mask].tolist()
        )
    return render(
        request,
        "fairness/drilldown.html",
        {
            "conference": conference,
            "stage": view.stage,
            "row": shown,
            "group": GROUP_BY_KEY[shown.group],
            "proposals": proposals,
            "report": row,
            "suppressed_label": SUPPRESSED,
        },
    )


@login_required
@require_GET
def export(request: HttpRequest, slug: str, stage: str, fmt: str) -> HttpResponseBase:
    stage = _stage(stage)
    conference = _conference(request, slug)
    row, _ = services.report_for(user=_user(request), conference=conference, stage=stage)
    view = report_view(row.report)
    filename = f"fairness-{conference.slug}-{stage}"
    if fmt == "csv":
        return csv_response(export_rows(view), filename=f"{filename}.csv")
    body = export_json(view, conference=conference.name, computed_at=row.computed_at.isoformat())
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2, allow_nan=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response


@login_required
@require_GET
@csp_override(CHART_CSP)
def chart(request: HttpRequest, slug: str, stage: str, kind: str, group: str) -> HttpResponse:
    from fairness.charts import CHARTS, empty_chart  # matplotlib loads only for charts

    stage = _stage(stage)
    allowed = MODEL_CHARTS if stage == "model" else RATE_CHARTS
    if kind not in allowed or group not in GROUP_BY_KEY:
        raise Http404("No such chart.")
    conference = _conference(request, slug)
    row, _ = services.report_for(user=_user(request), conference=conference, stage=stage)
    view = report_view(row.report)
    found = view.group(group)
    svg = CHARTS[kind](view, found) if found is not None else empty_chart("No data for this chart.")
    response = HttpResponse(svg, content_type="image/svg+xml")
    # The page's URL carries the report's fingerprint, so a new report is a new address.
    response["Cache-Control"] = "private, max-age=600"
    return response


@login_required
@require_POST
def refresh(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(request, slug)
    stage = request.POST.get("stage", "accepted")
    stage = stage if stage in STAGES else "accepted"
    refresh_reports.delay(conference.pk, force=True)
    messages.success(request, "The fairness reports are being recomputed from the current data.")
    return redirect("fairness:stage", slug=conference.slug, stage=stage)
