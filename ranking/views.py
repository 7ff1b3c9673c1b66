"""Pages of the relevance model for a conference's cochairs and admins: monitoring, a version's
offline evaluation, the shadow comparison, the model analysis, their charts, and the admins'
actions (promote, override, roll back, shadow). Permissions: ``ranking.rules``."""

from __future__ import annotations

from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from expo.accounts.models import User
from expo.conferences.models import Conference
from ranking import selectors
from ranking.comparison import PairedComparison
from ranking.models import RelevanceModel
from ranking.services import (
    ArtefactIntegrityError,
    relevance_model_promote,
    relevance_model_rollback,
    relevance_model_shadow_start,
    relevance_model_shadow_stop,
)

# A chart opened on its own is an SVG document whose shapes carry style attributes; the
# site-wide policy forbids those. Chart responses get their own policy: those styles, nothing
# else (no scripts, no fetches, no fonts — glyphs are paths).
CHART_CSP = {"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE]}
CHART_KINDS = frozenset(
    {
        "calibration",
        "online-calibration",
        "drift",
        "slices",
        "compare-calibration",
        "compare-slices",
        "analysis-groups",
        "analysis-terms",
    }
)

DRIFT_LABELS = {
    "stable": "Stable",
    "moderate": "Moderate shift",
    "large": "Large shift",
    "too_few": "Too few scores",
}


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label="Reason for overriding the rule",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Stored with the version and in the registry's record.",
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _conference(request: HttpRequest, slug: str) -> Conference:
    conference = get_object_or_404(Conference, slug=slug)
    if not rules.has_perm("ranking.view_monitoring", request.user, conference):
        raise Http404("No such conference.")
    return conference


def _version(conference: Conference, version: int) -> RelevanceModel:
    model = (
        RelevanceModel.objects.select_related("conference", "promoted_by", "created_by")
        .filter(conference=conference, version=version)
        .first()
    )
    if model is None:
        raise Http404("No such version.")
    return model


def _may_manage(request: HttpRequest, conference: Conference) -> bool:
    return bool(rules.has_perm("ranking.manage_models", request.user, conference))


def _chart_url(slug: str, kind: str, **query: Any) -> str:
    url = reverse("ranking:chart", kwargs={"slug": slug, "kind": kind})
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"{url}?{params}" if params else url


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    conferences = list(
        Conference.objects.all()
        if user.is_superuser
        else Conference.objects.filter(chairs=user).distinct()
    )
    if not conferences:
        raise Http404("You chair no conference.")
    if len(conferences) == 1:
        return redirect("ranking:monitoring", slug=conferences[0].slug)
    return render(request, "ranking/index.html", {"conferences": conferences})


@login_required
@require_GET
def monitoring(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(request, slug)
    data = selectors.relevance_monitoring(conference=conference)
    state = f"{data.score_counts['learned']}-{data.score_counts['topical']}-{len(data.versions)}"
    active = data.active
    return render(
        request,
        "ranking/monitoring.html",
        {
            "conference": conference,
            "tab": "monitoring",
            "data": data,
            "active": active,
            "shadows": [v for v in data.versions if v.status == RelevanceModel.Status.SHADOW],
            "events": selectors.model_events(conference=conference),
            "settings": selectors.ranking_settings_for(conference=conference),
            "drift_label": DRIFT_LABELS[data.drift.level],
            "may_manage": _may_manage(request, conference),
            "charts": {
                "online": _chart_url(slug, "online-calibration", s=state),
                "drift": _chart_url(slug, "drift", s=state),
            },
        },
    )


@login_required
@require_GET
def version_detail(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    conference = _conference(request, slug)
    return _render_version(request, conference, _version(conference, version), OverrideForm())


def _render_version(
    request: HttpRequest,
    conference: Conference,
    model: RelevanceModel,
    form: OverrideForm,
    status: int = 200,
) -> HttpResponse:
    active = selectors.active_model_for(conference=conference)
    slug = conference.slug
    return render(
        request,
        "ranking/version.html",
        {
            "conference": conference,
            "tab": "versions",
            "model": model,
            "active": active,
            "metrics": model.metrics,
            "slices": selectors.labelled_slices(model.metrics.get("slices", {})),
            "may_manage": _may_manage(request, conference),
            "form": form,
            "charts": {
                "calibration": _chart_url(slug, "calibration", version=model.version),
                "slices": _chart_url(slug, "slices", version=model.version),
            },
        },
        status=status,
    )


@login_required
@require_GET
def compare(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    conference = _conference(request, slug)
    model = _version(conference, version)
    result = selectors.shadow_comparison(candidate=model)
    state = f"{result.paired.n if result.paired else 0}-{result.active.pk if result.active else 0}"
    return render(
        request,
        "ranking/compare.html",
        {
            "conference": conference,
            "tab": "versions",
            "model": model,
            "result": result,
            "calibration_bands": _bands(result.comparison),
            "min_paired": selectors.MIN_ONLINE_PAIRED,
            "min_per_class": selectors.MIN_ONLINE_PER_CLASS,
            "may_manage": _may_manage(request, conference),
            "form": OverrideForm(),
            "charts": {
                "calibration": _chart_url(slug, "compare-calibration", version=version, s=state),
                "slices": _chart_url(slug, "compare-slices", version=version, s=state),
            },
        },
    )


def _bands(comparison: PairedComparison | None) -> list[dict[str, Any]]:
    """Both versions' calibration tables side by side, one row per score band."""
    if comparison is None:
        return []
    rows: dict[float, dict[str, Any]] = {}
    for key, table in (
        ("baseline", comparison.calibration_baseline),
        ("candidate", comparison.calibration_candidate),
    ):
        for row in table:
            band = rows.setdefault(
                row["bin_low"], {"label": f"{row['bin_low']:.1f}–{row['bin_high']:.1f}"}
            )
            band[key] = row
    return [rows[low] for low in sorted(rows)]


@login_required
@require_GET
def analysis(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(request, slug)
    active = selectors.active_model_for(conference=conference)
    result = error = None
    if active is not None:
        try:
            result = selectors.model_analysis(model=active)
        except ArtefactIntegrityError as problem:
            error = str(problem)
    return render(
        request,
        "ranking/analysis.html",
        {
            "conference": conference,
            "tab": "analysis",
            "active": active,
            "result": result,
            "error": error,
            "charts": {
                "groups": _chart_url(slug, "analysis-groups", v=active.pk if active else 0),
                "terms": _chart_url(slug, "analysis-terms", v=active.pk if active else 0),
            },
        },
    )


@login_required
@require_GET
@csp_override(CHART_CSP)
def chart(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    from ranking import charts  # matplotlib is imported only when a chart is drawn

    if kind not in CHART_KINDS:
        raise Http404("No such chart.")
    conference = _conference(request, slug)
    svg = _draw(charts, conference, kind, request.GET.get("version", ""))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


def _draw(charts: Any, conference: Conference, kind: str, version: str) -> bytes:
    blue, orange = charts.BLUE, charts.ORANGE
    if kind in {"online-calibration", "drift"}:
        data = selectors.relevance_monitoring(conference=conference)
        if kind == "drift":
            drift = data.drift
            if drift.model is None:
                return bytes(charts.message_chart("No learned model is active."))
            caption = f"v{drift.model.version}: {drift.n_reference} training scores, " + (
                f"{drift.n_current} current."
            )
            return bytes(
                charts.drift_chart(
                    drift.bin_edges, drift.reference_shares, drift.current_shares, caption=caption
                )
            )
        report = data.online.report
        if report is None:
            return bytes(charts.message_chart(data.online.explanation or "Nothing to draw."))
        label = f"v{data.online.model.version} online" if data.online.model else "online"
        return bytes(charts.calibration_chart([(label, report.calibration, blue)]))
    if kind in {"analysis-groups", "analysis-terms"}:
        active = selectors.active_model_for(conference=conference)
        if active is None:
            return bytes(charts.message_chart("No learned model is active."))
        if kind == "analysis-terms":
            return bytes(
                charts.terms_chart(
                    active.top_terms.get("raising", []), active.top_terms.get("lowering", [])
                )
            )
        try:
            result = selectors.model_analysis(model=active)
        except ArtefactIntegrityError:
            return bytes(charts.message_chart("The model's file failed its integrity check."))
        return bytes(charts.group_gap_chart(result.groups))
    if not version.isdigit():
        raise Http404("Which version?")
    model = _version(conference, int(version))
    if kind == "calibration":
        return bytes(
            charts.calibration_chart(
                [(f"v{model.version} out-of-fold", model.metrics.get("calibration", []), blue)]
            )
        )
    if kind == "slices":
        return bytes(charts.slice_auc_chart(model.metrics.get("slices", {}), overall=model.auc))
    shadowed = selectors.shadow_comparison(candidate=model)
    if kind == "compare-slices":
        return bytes(charts.comparison_slices_chart(shadowed.gaps))
    comparison = shadowed.comparison
    if comparison is None or shadowed.active is None:
        return bytes(charts.message_chart("No decided proposals scored by both versions yet."))
    return bytes(
        charts.calibration_chart(
            [
                (f"active v{shadowed.active.version}", comparison.calibration_baseline, blue),
                (f"candidate v{model.version}", comparison.calibration_candidate, orange),
            ],
            caption=f"The same {comparison.n} decided proposals, scored before the decision.",
        )
    )


# --- admins' actions ---------------------------------------------------------------------------


def _managed(request: HttpRequest, slug: str) -> Conference:
    """The conference, for a user who may change its model: others get 404 or 403."""
    conference = _conference(request, slug)
    if not _may_manage(request, conference):
        raise PermissionDenied("Only admins change which relevance model is active.")
    return conference


@login_required
@require_POST
def promote(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    conference = _managed(request, slug)
    model = _version(conference, version)
    override = request.POST.get("action") == "override"
    reason = ""
    if override:
        form = OverrideForm(request.POST)
        if not form.is_valid():
            messages.error(request, "An override needs a reason.")
            return _render_version(request, conference, model, form, status=400)
        reason = form.cleaned_data["reason"]
    try:
        relevance_model_promote(model=model, by=_user(request), override_reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ArtefactIntegrityError as error:
        messages.error(request, str(error))
    else:
        note = (
            " The rule allowed it; no override was needed."
            if override and not (model.promotion_overridden)
            else ""
        )
        messages.success(request, f"v{model.version} is active. {model.promotion_reason}{note}")
    return redirect("ranking:version", slug=slug, version=version)


@login_required
@require_POST
def rollback(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _managed(request, slug)
    try:
        model = relevance_model_rollback(conference=conference, by=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ArtefactIntegrityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"v{model.version} is active again.")
    return redirect("ranking:monitoring", slug=slug)


@login_required
@require_POST
def shadow(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    conference = _managed(request, slug)
    model = _version(conference, version)
    action = request.POST.get("action")
    try:
        if action == "start":
            relevance_model_shadow_start(model=model, by=_user(request))
            messages.success(
                request,
                f"v{model.version} now scores proposals in shadow. Reviewers do not see its "
                "scores; the comparison fills in as decisions arrive.",
            )
        elif action == "stop":
            relevance_model_shadow_stop(model=model, by=_user(request))
            messages.success(request, f"v{model.version} no longer scores in shadow.")
        else:
            messages.error(request, "Choose to start or to stop the shadow.")
            return redirect("ranking:version", slug=slug, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ArtefactIntegrityError as error:
        messages.error(request, str(error))
    return redirect("ranking:version", slug=slug, version=version)
