"""Pages for two-factor login, logging out everywhere and API tokens."""

from base64 import b32encode
from typing import Any

import qrcode
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage
from rest_framework.authtoken.models import Token

from expo.accounts.models import User
from expo.security import services
from expo.security.forms import PasswordConfirmForm, TotpCodeForm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST (even an empty one, which must fail validation), else None."""
    return request.POST if request.method == "POST" else None


def _overview_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    return {
        "two_factor_offered": services.two_factor_offered(user=user),
        "device": services.two_factor_device(user=user),
        "token": Token.objects.filter(user=user).first(),
        "session_count": len(services.sessions_of(user=user)),
        "disable_form": PasswordConfirmForm(),
        **extra,
    }


@login_required
@require_GET
@never_cache
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "security/overview.html", _overview_context(request))


def _pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not services.two_factor_offered(user=user):
        raise PermissionDenied("Two-factor login is offered to cochairs and admins.")
    if services.two_factor_device(user=user) is not None:
        messages.info(request, "Two-factor login is already on.")
        return redirect("security:overview")
    form = TotpCodeForm(_posted(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.two_factor_enrolment_confirm(
                    request=request, user=user, token=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                messages.success(
                    request,
                    "Two-factor login is on. You were logged out everywhere else; from now on "
                    "each login asks for a code from your app.",
                )
                return redirect("security:overview")
        device = _pending_device(user)
        if device is None:
            return redirect("security:two-factor-setup")
    else:
        device = services.two_factor_enrolment_start(user=user)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "security/two_factor_setup.html",
        {
            "form": form,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
@never_cache
def two_factor_qr(request: HttpRequest) -> HttpResponse:
    """The pending device's otpauth:// address as a QR code (SVG, no script)."""
    device = _pending_device(_user(request))
    if device is None:
        raise Http404("No authenticator is being set up.")
    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8, border=2)
    response = HttpResponse(image.to_string(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def two_factor_verify_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    target = _safe_next(request) or "dashboard"
    if request.user.is_verified() or services.two_factor_device(user=user) is None:  # type: ignore[union-attr]
        return redirect(target)
    form = TotpCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_verify(request=request, user=user, token=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            return redirect(target)
    return render(
        request,
        "security/two_factor_verify.html",
        {"form": form, "next": _safe_next(request) or ""},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def two_factor_disable_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_disable(user=user, password=form.cleaned_data["password"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[services.TWO_FACTOR_REQUIRED] = False
            messages.success(request, "Two-factor login is off.")
            return redirect("security:overview")
    return render(
        request,
        "security/two_factor_disable.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    ended = services.sessions_end_all(user=user)
    logout(request)
    messages.success(
        request,
        f"You are logged out everywhere ({ended} session{'s' if ended != 1 else ''} ended). "
        "Log in again to continue.",
    )
    return redirect("login")


@login_required
@require_POST
@never_cache
def api_token(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    action = request.POST.get("action")
    if action == "create":
        token = services.api_token_create(user=user)
        return render(
            request, "security/overview.html", _overview_context(request, new_token=token.key)
        )
    if action == "revoke":
        if services.api_token_revoke(user=user):
            messages.success(request, "Your API token is revoked.")
        return redirect("security:overview")
    context = _overview_context(request, token_error="Choose to create or to revoke a token.")
    return render(request, "security/overview.html", context, status=400)
