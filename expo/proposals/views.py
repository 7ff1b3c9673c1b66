"""Sponsor pages for proposals. Another organisation's proposal is a 404, never a 403."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.conferences.selectors import conferences_chaired_by
from expo.proposals import selectors, services
from expo.proposals.forms import (
    BaseSpeakerFormSet,
    ProposalForm,
    SpeakerFormSet,
    speaker_initial,
)
from expo.proposals.models import Proposal
from expo.sponsors.selectors import organisations_for_member


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _own_proposal(request: HttpRequest, pk: int) -> Proposal:
    proposal = selectors.proposal_for_member(user=_user(request), pk=pk)
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


def _content(form: ProposalForm, formset: object) -> dict[str, Any]:
    """The proposal's text, topics, speakers and attachment from a valid form and formset."""
    assert isinstance(formset, BaseSpeakerFormSet)
    data = form.cleaned_data
    return {
        "title": data["title"],
        "abstract": data["abstract"],
        "outline": data["outline"],
        "format": data["format"],
        "topics": list(data["topics"]),
        "speakers": formset.speakers(),
        "notes_to_chairs": data["notes_to_chairs"],
        "attachment": data.get("attachment"),
    }


def _service_errors(form: ProposalForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = selectors.proposal_rows_for_member(user=user)
    return render(
        request,
        "proposals/dashboard.html",
        {
            "has_proposals": bool(rows),
            # Safe: Jinja2 escaped every value (autoescape on; tests/proposals/test_dashboard.py).
            "rows_html": mark_safe(
                render_to_string("proposals/dashboard_rows.html", {"rows": rows}, using="jinja2")
            ),
            "organisations": organisations_for_member(user=user),
            "chaired_conferences": conferences_chaired_by(user=user),
        },
    )


@login_required
def proposal_create(request: HttpRequest, slug: str) -> HttpResponse:
    conference = get_object_or_404(Conference, slug=slug)
    user = _user(request)
    organisations = organisations_for_member(user=user)
    if not organisations.exists():
        messages.info(request, "Create your organisation first; proposals belong to it.")
        return redirect("organisation-create")
    cfp_error = None
    try:
        services.cfp_ensure_open(conference=conference)
    except services.CfpClosed as error:
        cfp_error = " ".join(error.messages)
    form = ProposalForm(
        request.POST or None,
        request.FILES or None,
        conference=conference,
        organisations=organisations,
    )
    formset = SpeakerFormSet(
        request.POST or None,
        prefix="speakers",
        initial=[{"name": user.full_name, "email": user.email}],
    )
    if request.method == "POST" and cfp_error is None and form.is_valid() and formset.is_valid():
        try:
            proposal = services.proposal_create(
                conference=conference,
                organisation=form.cleaned_data["organisation"],
                by=user,
                **_content(form, formset),
                submit=request.POST.get("action") == "submit",
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request,
                "Your proposal is submitted."
                if proposal.state == "submitted"
                else "Your draft is saved. Submit it before the deadline.",
            )
            return redirect("proposal-detail", pk=proposal.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "proposals/proposal_form.html",
        {
            "form": form,
            "formset": formset,
            "conference": conference,
            "cfp_error": cfp_error,
            "creating": True,
        },
        status=status,
    )


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _own_proposal(request, pk)
    conference = proposal.conference
    return render(
        request,
        "proposals/proposal_detail.html",
        {
            "proposal": proposal,
            "conference": conference,
            "cfp_open": conference.cfp_is_open(),
            "can_edit": request.user.has_perm("proposals.change_proposal", proposal)
            and conference.cfp_is_open(),
            "can_withdraw": request.user.has_perm("proposals.withdraw_proposal", proposal),
        },
    )


@login_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _own_proposal(request, pk)
    user = _user(request)
    conference = proposal.conference
    if not user.has_perm("proposals.change_proposal", proposal):
        state = proposal.get_state_display().lower()
        messages.error(request, f"This proposal is {state} and can no longer be changed.")
        return redirect("proposal-detail", pk=pk)
    cfp_error = None
    try:
        services.cfp_ensure_open(conference=conference)
    except services.CfpClosed as error:
        cfp_error = " ".join(error.messages)
    form = ProposalForm(
        request.POST or None,
        request.FILES or None,
        conference=conference,
        organisations=organisations_for_member(user=user),
        proposal=proposal,
        initial=ProposalForm.initial_for(proposal),
    )
    formset = SpeakerFormSet(
        request.POST or None,
        prefix="speakers",
        initial=speaker_initial(list(proposal.speakers.all())),
    )
    if request.method == "POST" and cfp_error is None and form.is_valid() and formset.is_valid():
        try:
            proposal = services.proposal_update(
                proposal=proposal,
                by=user,
                **_content(form, formset),
                remove_attachment=bool(form.cleaned_data.get("remove_attachment")),
            )
            if request.POST.get("action") == "submit" and proposal.state == "draft":
                proposal = services.proposal_submit(proposal=proposal, by=user)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request,
                "Your proposal is submitted."
                if request.POST.get("action") == "submit"
                else "Your changes are saved.",
            )
            return redirect("proposal-detail", pk=proposal.pk)
    status = 400 if request.method == "POST" else 200
    context: dict[str, Any] = {
        "form": form,
        "formset": formset,
        "conference": conference,
        "proposal": proposal,
        "cfp_error": cfp_error,
        "creating": False,
    }
    return render(request, "proposals/proposal_form.html", context, status=status)


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _own_proposal(request, pk)
    try:
        services.proposal_submit(proposal=proposal, by=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your proposal is submitted.")
    return redirect("proposal-detail", pk=pk)


@login_required
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _own_proposal(request, pk)
    if request.method == "POST":
        try:
            services.proposal_withdraw(proposal=proposal, by=_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{proposal.title}” is withdrawn.")
        return redirect("proposal-detail", pk=pk)
    if not request.user.has_perm("proposals.withdraw_proposal", proposal):
        messages.error(
            request,
            f"This proposal is {proposal.get_state_display().lower()} and cannot be withdrawn.",
        )
        return redirect("proposal-detail", pk=pk)
    return render(request, "proposals/proposal_withdraw.html", {"proposal": proposal})


@login_required
def proposal_attachment(request: HttpRequest, pk: int) -> FileResponse:
    proposal = _own_proposal(request, pk)
    if not proposal.attachment:
        raise Http404("This proposal has no attachment.")
    response = FileResponse(
        proposal.attachment.open("rb"),
        as_attachment=True,
        filename=f"proposal-{proposal.pk}.{str(proposal.attachment.name).rsplit('.', 1)[-1]}",
        content_type=proposal.attachment_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
