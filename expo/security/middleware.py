"""Session expiry after inactivity, and the two-factor gate.

Add after ``django_otp.middleware.OTPMiddleware`` (it needs ``request.user.is_verified``).
"""

import datetime as dt
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import NoReverseMatch, reverse
from django_otp import user_has_device

from expo.security.services import LAST_SEEN, TWO_FACTOR_REQUIRED, session_is_idle

# The idle clock in the session is refreshed at most this often, so browsing does not write
# the session on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60
DEFAULT_IDLE_TIMEOUT_SECONDS = 2 * 60 * 60

# Views an unverified session of a two-factor user may still use.
UNVERIFIED_ALLOWED_VIEWS = frozenset({"security:two-factor-verify", "logout"})


def idle_timeout() -> dt.timedelta:
    return dt.timedelta(
        seconds=getattr(settings, "SESSION_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT_SECONDS)
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(*, message: str, code: str, status: int) -> HttpResponse:
    # The API's error format (expo.api.errors), so clients parse one shape.
    return JsonResponse(
        {"errors": [{"field": None, "message": message, "code": code}]}, status=status
    )


class SessionSecurityMiddleware:
    """Ends a session idle for longer than ``SESSION_IDLE_TIMEOUT`` seconds, and keeps a
    session whose user has a confirmed TOTP device on the verification step until it passes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            if session_is_idle(session=session, now=now, timeout=idle_timeout()):
                logout(request)
                if _is_api(request):
                    return _error(
                        message="Your session expired after inactivity; log in again.",
                        code="session_expired",
                        status=401,
                    )
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('login')}?{query}")
            last_seen = session.get(LAST_SEEN)
            if last_seen is None or now - float(last_seen) >= LAST_SEEN_RESOLUTION_SECONDS:
                session[LAST_SEEN] = int(now)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user: Any = request.user
        if not user.is_authenticated:
            return None
        session = request.session
        required = session.get(TWO_FACTOR_REQUIRED)
        if required is None:
            # A session from before this middleware: decide once and remember.
            required = session[TWO_FACTOR_REQUIRED] = user_has_device(user, confirmed=True)
        if not required or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in UNVERIFIED_ALLOWED_VIEWS:
            return None
        if not user_has_device(user, confirmed=True):
            # Two-factor login was switched off in another session.
            session[TWO_FACTOR_REQUIRED] = False
            return None
        if _is_api(request):
            return _error(
                message="Enter the code from your authenticator app first (two-factor login).",
                code="two_factor_required",
                status=403,
            )
        try:
            verify = reverse("security:two-factor-verify")
        except NoReverseMatch:
            # The security pages are not routed (expo/urls.py lacks their include): fail closed.
            return HttpResponseForbidden(
                "Two-factor login is on for your account, but this site cannot ask for the code."
            )
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{verify}?{query}")
