"""Pages of the review workspace. Views parse input, ask the permission table, call a service
or selector and render. A proposal a user may not see is a 404, exactly like a missing one."""

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template import RequestContext
from django.template.defaulttags import querystring
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.proposals.models import Proposal
from expo.reversing import id_url
from reviews import selectors, services
from reviews.conflicts import conflict_status, conflicts_in_conference
from reviews.defaults import PLACEHOLDERS
from reviews.exports import csv_response
from reviews.forms import (
    AuditFilterForm,
    BulkDecisionForm,
    ConflictAdminForm,
    ConflictDeclareForm,
    CriterionFormSet,
    DashboardFilterForm,
    DecisionForm,
    ProposalPickForm,
    ReviewForm,
    ReviewSettingsForm,
    TemplateForm,
    add_service_errors,
    expected_versions,
)
from reviews.models import (
    DecisionOutcome,
    NotificationTemplate,
    Review,
    ReviewCriterion,
)
from reviews.rules import may

# Dashboard parameters that the review page carries along for previous/next.
LIST_PARAMS = ("q", "track", "format", "topic", "state", "mine", "disagree", "ready", "sort")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _workspace(request: HttpRequest, slug: str, perm: str = "reviews.view_workspace") -> Conference:
    conference = selectors.workspace_conference(slug=slug, user=request.user)  # type: ignore[arg-type]
    if conference is None:
        raise Http404("No such conference.")
    if not may(request.user, perm, conference):
        raise PermissionDenied("You do not chair this conference.")
    return conference


def _proposal(request: HttpRequest, conference: Conference, pk: int) -> Proposal:
    proposal = selectors.proposal_for_reviewer(user=_user(request), conference=conference, pk=pk)
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


def _list_query(request: HttpRequest) -> str:
    params = [(k, v) for k in LIST_PARAMS for v in request.GET.getlist(k) if v]
    return urlencode(params)


def _filters(request: HttpRequest, conference: Conference) -> tuple[DashboardFilterForm, Any]:
    form = DashboardFilterForm(
        request.GET or None, choices=selectors.filter_choices(conference=conference)
    )
    return form, form.filters()


def _nav(request: HttpRequest, conference: Conference, tab: str) -> dict[str, Any]:
    user = request.user
    return {
        "conference": conference,
        "tab": tab,
        "may_manage": may(user, "reviews.manage_conference", conference),
        "may_notify": may(user, "reviews.notify", conference),
    }


@login_required
@require_GET
def workspace_index(request: HttpRequest) -> HttpResponse:
    conferences = list(selectors.conferences_for_reviewer(user=_user(request)))
    if len(conferences) == 1:
        return redirect("reviews:dashboard", slug=conferences[0].slug)
    return render(request, "reviews/index.html", {"conferences": conferences})


# Sortable columns of the dashboard: (sort key, label, the sort of the first click).
SORT_COLUMNS = (
    ("title", "Proposal", "title"),
    ("reviews", "Reviews", "-reviews"),
    ("score", "Score", "-score"),
    ("normalised", "Normalised", "-normalised"),
    ("spread", "Spread", "-spread"),
)


def _sort_links(request: HttpRequest, current: str) -> dict[str, SafeString]:
    """The column headers' links: a click on the sorted column reverses it, on another sorts by
    it. Built here rather than by an {% include %} per column (a fifth of the page's layout)."""
    links = {}
    context = RequestContext(request)  # {% querystring %} reads its request.GET
    for key, label, first in SORT_COLUMNS:
        if current.lstrip("-") != key:
            href = querystring(context, sort=first, page=None)
            links[key] = format_html('<a href="{}">{}</a>', href, label)
            continue
        descending = current.startswith("-")
        links[key] = format_html(
            '<a href="{}" aria-label="{}, sorted {}; sort {}">{} '
            '<span class="rv-sorted" aria-hidden="true">{}</span></a>',
            querystring(context, sort=key if descending else f"-{key}", page=None),
            label,
            "descending" if descending else "ascending",
            "ascending" if descending else "descending",
            label,
            "↓" if descending else "↑",
        )
    return links


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _workspace(request, slug)
    user = _user(request)
    form, filters = _filters(request, conference)
    board = selectors.dashboard(
        user=user, conference=conference, filters=filters, page_number=request.GET.get("page", 1)
    )
    query = _list_query(request)
    suffix = f"?{query}" if query else ""
    review_url = id_url("reviews:proposal", conference.slug)
    for row in board.page.object_list:
        row.review_url = review_url(row.pk) + suffix
    may_decide_any = board.is_chair or user.is_superuser
    rows_html = render_to_string(
        "reviews/dashboard_rows.html",
        {
            "rows": board.page.object_list,
            "may_decide_any": may_decide_any,
            "disagreement_points": board.settings.disagreement_points,
        },
        using="jinja2",
    )
    return render(
        request,
        "reviews/dashboard.html",
        {
            **_nav(request, conference, "proposals"),
            # Safe: Jinja2 escaped every value (autoescape on; tests/reviews/test_dashboard.py).
            "rows_html": mark_safe(rows_html),
            "board": board,
            "form": form,
            "filters": filters,
            "list_query": query,
            "sort_links": _sort_links(request, filters.sort),
            "is_admin": user.is_superuser,
            "may_decide_any": may_decide_any,
        },
    )


@login_required
@require_GET
def dashboard_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    conference = _workspace(request, slug)
    _form, filters = _filters(request, conference)
    rows = selectors.dashboard_export_rows(
        user=_user(request), conference=conference, filters=filters
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(rows, filename=f"{conference.slug}-proposals-{stamp}.csv")


def _neighbours(request: HttpRequest, conference: Conference, proposal: Proposal) -> dict[str, Any]:
    _form, filters = _filters(request, conference)
    ids = selectors.ordered_ids(user=_user(request), conference=conference, filters=filters)
    try:
        index = ids.index(proposal.pk)
    except ValueError:
        # No longer in the filtered list (e.g. "missing my review" after submitting it).
        later = [pk for pk in ids if pk > proposal.pk]
        return {
            "previous_id": None,
            "next_id": later[0] if later else (ids[0] if ids else None),
            "position": None,
            "list_total": len(ids),
        }
    return {
        "previous_id": ids[index - 1] if index > 0 else None,
        "next_id": ids[index + 1] if index + 1 < len(ids) else None,
        "position": index + 1,
        "list_total": len(ids),
    }


def _review_page(
    request: HttpRequest,
    conference: Conference,
    proposal: Proposal,
    *,
    form: ReviewForm | None = None,
    stale_review: Review | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    criteria = selectors.criteria_for(conference=conference)
    review = selectors.own_review(user=user, proposal=proposal)
    may_review = may(user, "reviews.review_proposal", proposal)
    if form is None and may_review:
        form = ReviewForm(criteria=criteria, initial=ReviewForm.initial_for(review))
    may_see_reviews = may(user, "reviews.view_reviews", proposal)
    others, _mine = selectors.review_counts(proposal=proposal, user=user)
    review_settings = selectors.review_settings_or_default(conference=conference)
    readiness = selectors.decision_readiness(conference=conference, proposals=[proposal])[
        proposal.pk
    ]
    context = {
        **_nav(request, conference, "proposals"),
        "proposal": proposal,
        "criteria": criteria,
        "form": form,
        "review": review,
        "may_review": may_review,
        "may_see_reviews": may_see_reviews,
        "may_decide": may(user, "reviews.decide_proposal", proposal),
        "may_declare": may(user, "reviews.declare_conflict", proposal),
        "reviews": selectors.reviews_of(proposal=proposal, criteria=criteria)
        if may_see_reviews
        else [],
        "others_reviewed": others,
        "readiness": readiness,
        "settings": review_settings,
        "decision": getattr(proposal, "decision", None),
        "list_query": _list_query(request),
        "stale_review": stale_review,
        "stale_scores": _scores_of(stale_review, criteria) if stale_review else [],
        "admin_conflict": conflict_status(user=user, proposal=proposal)
        if user.is_superuser
        else None,
        **_neighbours(request, conference, proposal),
    }
    return render(request, "reviews/review.html", context, status=status)


def _scores_of(review: Review, criteria: list[ReviewCriterion]) -> list[tuple[str, int | None]]:
    by_criterion = {s.criterion_id: s.score for s in review.scores.all()}
    return [(c.name, by_criterion.get(c.pk)) for c in criteria]


@login_required
@require_http_methods(["GET", "POST"])
def proposal_review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = _workspace(request, slug)
    proposal = _proposal(request, conference, pk)
    if request.method == "GET":
        return _review_page(request, conference, proposal)
    user = _user(request)
    criteria = selectors.criteria_for(conference=conference)
    form = ReviewForm(request.POST, criteria=criteria)
    if not form.is_valid():
        return _review_page(request, conference, proposal, form=form, status=400)
    action = request.POST.get("action", "submit")
    data = form.review_data()
    try:
        if action == "draft":
            services.review_autosave(
                reviewer=user,
                proposal=proposal,
                data=data,
                expected_draft_version=form.cleaned_data["expected_draft_version"],
            )
            messages.success(request, "Your draft is saved. The other chairs do not see drafts.")
            return redirect(_review_url(conference, proposal.pk, request))
        next_id = _neighbours(request, conference, proposal)["next_id"]
        review = services.review_submit(
            reviewer=user,
            proposal=proposal,
            data=data,
            expected_version=form.cleaned_data["expected_version"],
        )
    except services.StaleWrite as stale:
        current: Review = stale.current
        fresh = request.POST.copy()
        fresh["expected_version"] = str(current.version)
        fresh["expected_draft_version"] = str(current.draft_version)
        form = ReviewForm(fresh, criteria=criteria)
        form.is_valid()
        messages.error(
            request,
            f"{stale.message} Your text is kept below; the newer version is shown above it. "
            "Submit again to replace it with yours.",
        )
        return _review_page(
            request, conference, proposal, form=form, stale_review=current, status=409
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _review_page(request, conference, proposal, form=form, status=400)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return _review_page(request, conference, proposal, status=403)
    messages.success(
        request,
        f"Your review is submitted (version {review.version}, weighted score "
        f"{review.weighted_score:.2f}).",
    )
    if action == "submit_next" and next_id is not None:
        return redirect(_review_url(conference, next_id, request))
    return redirect(_review_url(conference, proposal.pk, request))


def _review_url(conference: Conference, pk: int, request: HttpRequest) -> str:
    url = reverse("reviews:proposal", args=[conference.slug, pk])
    query = _list_query(request) if request.method == "GET" else request.POST.get("list_query", "")
    if query:
        # Only the known list parameters survive a round trip through the form.
        parsed = QueryDict(query)
        query = urlencode([(k, v) for k in LIST_PARAMS for v in parsed.getlist(k) if v])
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def review_autosave(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    conference = _workspace(request, slug)
    proposal = _proposal(request, conference, pk)
    form = ReviewForm(request.POST, criteria=selectors.criteria_for(conference=conference))
    if not form.is_valid():
        return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
    force = request.POST.get("force") == "1"
    expected = form.cleaned_data["expected_draft_version"]
    try:
        if force:
            current = selectors.own_review(user=_user(request), proposal=proposal)
            expected = current.draft_version if current else 0
        review = services.review_autosave(
            reviewer=_user(request),
            proposal=proposal,
            data=form.review_data(),
            expected_draft_version=expected,
        )
    except services.StaleWrite as stale:
        current = stale.current
        saved = current.draft_saved_at or current.revised_at
        return JsonResponse(
            {
                "ok": False,
                "stale": True,
                "message": stale.message,
                "draft_version": current.draft_version,
                "saved_at": _time(saved),
            },
            status=409,
        )
    except ValidationError as error:
        return JsonResponse({"ok": False, "errors": error.messages}, status=400)
    except PermissionDenied as error:
        return JsonResponse({"ok": False, "errors": [str(error)]}, status=403)
    return JsonResponse(
        {
            "ok": True,
            "draft_version": review.draft_version,
            "saved_at": _time(review.draft_saved_at),
        }
    )


def _time(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S") if moment else ""


@login_required
@require_GET
def proposal_attachment(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    conference = _workspace(request, slug)
    proposal = _proposal(request, conference, pk)
    if not proposal.attachment:
        raise Http404("This proposal has no attachment.")
    extension = str(proposal.attachment.name).rsplit(".", 1)[-1]
    response = FileResponse(
        proposal.attachment.open("rb"),
        as_attachment=True,
        filename=f"proposal-{proposal.pk}.{extension}",
        content_type=proposal.attachment_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def conflict_declare(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = _workspace(request, slug)
    proposal = _proposal(request, conference, pk)
    if not may(request.user, "reviews.declare_conflict", proposal):
        raise PermissionDenied("Only the conference's chairs declare their conflicts.")
    form = ConflictDeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.conflict_declare(
            user=_user(request), proposal=proposal, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            "Your conflict of interest is recorded. The proposal is hidden from you from now on; "
            "an admin can lift the conflict if it was a mistake.",
        )
        return redirect("reviews:dashboard", slug=conference.slug)
    return render(
        request,
        "reviews/conflict_declare.html",
        {**_nav(request, conference, "proposals"), "proposal": proposal, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _decision_page(
    request: HttpRequest,
    conference: Conference,
    proposals: list[Proposal],
    form: DecisionForm,
    *,
    template: str,
    status: int = 200,
    overfull: list[str] | None = None,
    stale: Any = None,
) -> HttpResponse:
    readiness = selectors.decision_readiness(conference=conference, proposals=proposals)
    for proposal in proposals:
        # Shown per row of the decision pages.
        proposal.readiness = readiness[proposal.pk]  # type: ignore[attr-defined]
        proposal.current_decision = getattr(proposal, "decision", None)  # type: ignore[attr-defined]
    context = {
        **_nav(request, conference, "proposals"),
        "proposals": proposals,
        "proposal": proposals[0] if len(proposals) == 1 else None,
        "form": form,
        "capacity": selectors.capacity_overview(conference=conference),
        "settings": selectors.review_settings_or_default(conference=conference),
        "overfull": overfull or [],
        "stale": stale,
        "list_query": _list_query(request),
    }
    if len(proposals) == 1:
        proposal = proposals[0]
        criteria = selectors.criteria_for(conference=conference)
        context["may_see_reviews"] = may(request.user, "reviews.view_reviews", proposal)
        context["reviews"] = (
            selectors.reviews_of(proposal=proposal, criteria=criteria)
            if context["may_see_reviews"]
            else []
        )
        context["criteria"] = criteria
    return render(request, template, context, status=status)


def _decide(
    request: HttpRequest,
    conference: Conference,
    proposals: list[Proposal],
    form: DecisionForm,
    *,
    template: str,
) -> HttpResponse | None:
    """Run the decision service; a response when the page must be shown again."""
    ids = [p.pk for p in proposals]
    try:
        services.decisions_make(
            by=_user(request),
            proposals=proposals,
            outcome=form.cleaned_data["outcome"],
            rationale=form.cleaned_data["rationale"],
            expected_versions=expected_versions(request.POST, ids),
            confirm_overfill=form.cleaned_data["confirm_overfill"],
        )
    except services.OverCapacity as error:
        messages.warning(request, "This would over-fill a track. Confirm to accept anyway.")
        return _decision_page(
            request,
            conference,
            proposals,
            form,
            template=template,
            status=409,
            overfull=error.messages,
        )
    except services.StaleWrite as stale:
        messages.error(
            request,
            f"{stale.message} Nothing was changed. The current decision is shown; your rationale "
            "is kept in the form.",
        )
        fresh = [
            selectors.proposal_for_reviewer(user=_user(request), conference=conference, pk=pk)
            for pk in ids
        ]
        return _decision_page(
            request,
            conference,
            [p for p in fresh if p is not None],
            form,
            template=template,
            status=409,
            stale=stale.current,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _decision_page(request, conference, proposals, form, template=template, status=400)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def proposal_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    conference = _workspace(request, slug)
    proposal = _proposal(request, conference, pk)
    if not may(request.user, "reviews.decide_proposal", proposal):
        messages.error(
            request,
            "You can decide once you have submitted your own review of this proposal (admins: "
            "unless you are conflicted). Withdrawn proposals cannot be decided.",
        )
        return redirect(_review_url(conference, proposal.pk, request))
    decision = getattr(proposal, "decision", None)
    initial = {"outcome": decision.outcome, "rationale": decision.rationale} if decision else {}
    form = DecisionForm(request.POST or None, initial=initial)
    template = "reviews/decide.html"
    if request.method == "POST":
        if not form.is_valid():
            return _decision_page(
                request, conference, [proposal], form, template=template, status=400
            )
        response = _decide(request, conference, [proposal], form, template=template)
        if response is not None:
            return response
        messages.success(request, f"Decision recorded: {form.cleaned_data['outcome']}.")
        return redirect(_review_url(conference, proposal.pk, request))
    return _decision_page(request, conference, [proposal], form, template=template)


@login_required
@require_http_methods(["GET", "POST"])
def bulk_decide(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _workspace(request, slug)
    user = _user(request)
    raw_ids = (
        request.POST.getlist("proposals")
        if request.method == "POST"
        else request.GET.getlist("proposals")
    )
    try:
        wanted = {int(pk) for pk in raw_ids}
    except ValueError:
        wanted = set()
    visible = list(
        selectors.proposals_visible_to(user=user, conference=conference)
        .filter(pk__in=wanted)
        .select_related("organisation", "track", "decision", "decision__decided_by")
        .order_by("title", "pk")
    )
    if not wanted or len(visible) != len(wanted):
        messages.error(
            request,
            "Choose proposals from the list first. (A chosen proposal that is not in your "
            "workspace — withdrawn from view or conflicted — cannot be decided by you.)",
        )
        return redirect("reviews:dashboard", slug=conference.slug)
    form = BulkDecisionForm(
        request.POST if request.method == "POST" else None,
        proposals=visible,
        initial={"proposals": [p.pk for p in visible]},
    )
    template = "reviews/decide_bulk.html"
    if request.method == "POST":
        if not form.is_valid():
            return _decision_page(request, conference, visible, form, template=template, status=400)
        response = _decide(request, conference, visible, form, template=template)
        if response is not None:
            return response
        messages.success(request, f"{len(visible)} decisions recorded.")
        return redirect("reviews:dashboard", slug=conference.slug)
    return _decision_page(request, conference, visible, form, template=template)


@login_required
@require_GET
def calibration_page(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _workspace(request, slug)
    report = selectors.calibration_report(user=_user(request), conference=conference)
    return render(
        request,
        "reviews/calibration.html",
        {**_nav(request, conference, "calibration"), "report": report},
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflicts_admin(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _workspace(request, slug, perm="reviews.manage_conference")
    chairs = selectors.chairs_of(conference=conference)
    users = User.objects.filter(pk__in=[c.user_id for c in chairs]).order_by("email")
    proposals = (
        Proposal.objects.filter(conference=conference).exclude(state="draft").order_by("title")
    )
    form = ConflictAdminForm(
        request.POST or None, users=users, proposals=proposals, initial=request.GET.dict()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = services.conflict_add if data["action"] == "add" else services.conflict_lift
        try:
            action(
                by=_user(request),
                user=data["user"],
                proposal=data["proposal"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verb = "added" if data["action"] == "add" else "lifted"
            messages.success(
                request, f"Conflict {verb}: {data['user'].email} / “{data['proposal'].title}”."
            )
            return redirect("reviews:conflicts", slug=conference.slug)
    return render(
        request,
        "reviews/conflicts.html",
        {
            **_nav(request, conference, "conflicts"),
            "rows": conflicts_in_conference(conference=conference),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_admin(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _workspace(request, slug, perm="reviews.manage_conference")
    user = _user(request)
    review_settings = services.review_settings_for(conference=conference)
    criteria = selectors.criteria_for(conference=conference)
    started = selectors.reviews_started_count(conference=conference)
    action = request.POST.get("action") if request.method == "POST" else None
    settings_form = ReviewSettingsForm(
        request.POST if action == "settings" else None, instance=review_settings
    )
    criteria_initial = [
        {
            "id": c.pk,
            "name": c.name,
            "guidance": c.guidance,
            "scale_min": c.scale_min,
            "scale_max": c.scale_max,
            "weight": c.weight,
        }
        for c in criteria
    ]
    formset = CriterionFormSet(
        request.POST if action == "criteria" else None, initial=criteria_initial, prefix="criteria"
    )
    if action == "settings" and settings_form.is_valid():
        data = settings_form.cleaned_data
        try:
            services.review_settings_update(
                by=user,
                conference=conference,
                required_reviews=data["required_reviews"],
                score_scale_max=data["score_scale_max"],
                disagreement_points=data["disagreement_points"],
            )
        except ValidationError as error:
            add_service_errors(settings_form, error)
        else:
            messages.success(request, "Review settings saved.")
            return redirect("reviews:settings", slug=conference.slug)
    if action == "criteria" and formset.is_valid():
        data_list = []
        for criterion_form in formset.forms:
            cleaned = criterion_form.cleaned_data
            if not cleaned or cleaned.get("DELETE"):
                continue  # the empty extra form, or a row marked for deletion
            data_list.append(criterion_form.criterion_data())
        try:
            services.criteria_replace(by=user, conference=conference, criteria=data_list)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)  # type: ignore[attr-defined]
        else:
            messages.success(request, "Review criteria saved.")
            return redirect("reviews:settings", slug=conference.slug)
    return render(
        request,
        "reviews/settings.html",
        {
            **_nav(request, conference, "settings"),
            "settings_form": settings_form,
            "formset": formset,
            "criteria": criteria,
            "reviews_started": started,
        },
        status=400 if action else 200,
    )


def _url_for(request: HttpRequest) -> Any:
    def url_for(proposal: Proposal) -> str:
        return request.build_absolute_uri(reverse("proposal-detail", args=[proposal.pk]))

    return url_for


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _workspace(request, slug, perm="reviews.notify")
    user = _user(request)
    decided = list(selectors.decided_proposals(user=user, conference=conference))
    source = (
        request.POST
        if request.method == "POST"
        else (request.GET if "proposals" in request.GET else None)
    )
    form = ProposalPickForm(source, proposals=decided)
    preview = None
    if form.is_bound and form.is_valid():
        chosen = [p for p in decided if p.pk in set(form.cleaned_data["proposals"])]
        if request.method == "POST":
            try:
                result = services.notifications_queue(
                    by=user, conference=conference, proposals=chosen, url_for=_url_for(request)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                parts = [
                    f"{len(result.queued)} e-mail{'s' if len(result.queued) != 1 else ''} queued"
                ]
                if result.skipped_already_queued:
                    parts.append(
                        f"{result.skipped_already_queued} had been queued before "
                        "and were not queued again"
                    )
                if result.skipped_no_recipients:
                    parts.append(
                        "no sponsor member to write to for: "
                        + ", ".join(result.skipped_no_recipients)
                    )
                messages.success(request, "; ".join(parts) + ".")
                return redirect("reviews:notifications", slug=conference.slug)
        else:
            preview = services.notifications_render(
                conference=conference, proposals=chosen, url_for=_url_for(request)
            )
    return render(
        request,
        "reviews/notifications.html",
        {
            **_nav(request, conference, "notifications"),
            "decided": decided,
            "form": form,
            "preview": preview,
            "templates": NotificationTemplate.objects.filter(conference=conference),
            "outbox": selectors.outbox_for(user=user, conference=conference),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, slug: str, outcome: str) -> HttpResponse:
    conference = _workspace(request, slug, perm="reviews.notify")
    if outcome not in DecisionOutcome.values:
        raise Http404("No such template.")
    template = get_object_or_404(NotificationTemplate, conference=conference, outcome=outcome)
    form = TemplateForm(
        request.POST or None, initial={"subject": template.subject, "body": template.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_template_update(
                by=_user(request),
                template=template,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The “{template.get_outcome_display()}” e-mail is saved.")
            return redirect("reviews:notifications", slug=conference.slug)
    sample = (
        selectors.decided_proposals(user=_user(request), conference=conference)
        .filter(decision__outcome=outcome)
        .first()
    )
    example = None
    if sample is not None and template.pk:
        example = services.notifications_render(
            conference=conference, proposals=[sample], url_for=_url_for(request)
        )[0]
    return render(
        request,
        "reviews/template_edit.html",
        {
            **_nav(request, conference, "notifications"),
            "template": template,
            "form": form,
            "placeholders": PLACEHOLDERS,
            "example": example,
        },
        status=400 if request.method == "POST" else 200,
    )


def _audit_events(
    request: HttpRequest, conference: Conference
) -> tuple[AuditFilterForm, QuerySet[Any]]:
    form = AuditFilterForm(request.GET or None)
    return form, selectors.audit_events(conference=conference, filters=form.filters())


@login_required
@require_GET
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _workspace(request, slug, perm="reviews.view_audit")
    form, events = _audit_events(request, conference)
    page = Paginator(events, 100).get_page(request.GET.get("page", 1))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request,
        "reviews/audit.html",
        {**_nav(request, conference, "audit"), "form": form, "page": page, "query": query},
    )


@login_required
@require_GET
def audit_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    conference = _workspace(request, slug, perm="reviews.view_audit")
    _form, events = _audit_events(request, conference)

    def rows() -> Any:
        yield [
            "id",
            "when (UTC)",
            "who",
            "action",
            "object",
            "proposal id",
            "summary",
            "before",
            "after",
        ]
        for event in events.iterator(chunk_size=500):
            yield [
                event.pk,
                event.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_label or "system",
                event.get_action_display(),
                f"{event.object_type} {event.object_id}".strip(),
                event.proposal_id or "",
                event.summary,
                _json(event.before),
                _json(event.after),
            ]

    return csv_response(rows(), filename=f"{conference.slug}-audit.csv")


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
