from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from expo.accounts.models import User
from expo.sponsors import selectors, services
from expo.sponsors.forms import InvitationForm, OrganisationForm
from expo.sponsors.models import Membership, Organisation


def _member_organisation(request: HttpRequest, slug: str) -> Organisation:
    """The organisation, or 404 for non-members so that existence does not leak."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not request.user.has_perm("sponsors.view_organisation", organisation):
        raise Http404("No such organisation.")
    return organisation


def _apply_form_errors(form: OrganisationForm | InvitationForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        try:
            organisation = services.organisation_create(by=user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, f"{organisation.name} is created; you are its owner.")
            return redirect("organisation-detail", slug=organisation.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "sponsors/organisation_form.html", {"form": form, "creating": True}, status=status
    )


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _member_organisation(request, slug)
    return render(
        request,
        "sponsors/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members(organisation=organisation),
            "invitations": selectors.organisation_pending_invitations(organisation=organisation),
            "invite_form": InvitationForm(),
            "can_edit": request.user.has_perm("sponsors.change_organisation", organisation),
        },
    )


@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _member_organisation(request, slug)
    if not request.user.has_perm("sponsors.change_organisation", organisation):
        messages.error(request, "Only the organisation's owners can change its details.")
        return redirect("organisation-detail", slug=slug)
    form = OrganisationForm(
        request.POST or None, initial=OrganisationForm.initial_for(organisation)
    )
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        try:
            services.organisation_update(organisation=organisation, by=user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, "The organisation's details are saved.")
            return redirect("organisation-detail", slug=organisation.slug)
    return render(
        request,
        "sponsors/organisation_form.html",
        {"form": form, "organisation": organisation, "creating": False},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def organisation_invite(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _member_organisation(request, slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        user = request.user
        assert isinstance(user, User)
        accept_url = request.build_absolute_uri(reverse("invitation-accept", args=["TOKEN"]))
        try:
            services.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                by=user,
                accept_url_template=accept_url.replace("TOKEN", "{token}"),
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("organisation-detail", slug=slug)
    return render(
        request,
        "sponsors/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members(organisation=organisation),
            "invitations": selectors.organisation_pending_invitations(organisation=organisation),
            "invite_form": form,
            "can_edit": request.user.has_perm("sponsors.change_organisation", organisation),
        },
        status=400,
    )


@login_required
@require_POST
def membership_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    organisation = _member_organisation(request, slug)
    membership = get_object_or_404(Membership, pk=membership_id, organisation=organisation)
    user = request.user
    assert isinstance(user, User)
    try:
        services.membership_remove(membership=membership, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, "Only owners can remove other members.")
    else:
        if membership.user_id == user.pk:
            messages.success(request, f"You have left {organisation.name}.")
            return redirect("dashboard")
        messages.success(request, f"{membership.user.get_full_name()} was removed.")
    return redirect("organisation-detail", slug=slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if not request.user.is_authenticated:
        if invitation is None:
            raise Http404("This invitation link is not valid.")
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        user = request.user
        assert isinstance(user, User)
        try:
            membership = services.invitation_accept(token=token, user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Welcome to {membership.organisation.name}.")
            return redirect("organisation-detail", slug=membership.organisation.slug)
    return render(request, "sponsors/invitation_accept.html", {"invitation": invitation})
