"""Writes for account security: two-factor devices, sessions and API tokens.

Two-factor login uses django-otp's TOTP devices. A session records at login whether its user
has a confirmed device (``TWO_FACTOR_REQUIRED``); ``SessionSecurityMiddleware`` then refuses
every page but the verification step until django-otp marks the session verified. Keeping the
flag in the session costs no query per request for the many users without a device.
"""

import datetime as dt
import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from expo.accounts.models import User
from expo.conferences.models import ConferenceChair

# Session keys written by this module.
TWO_FACTOR_REQUIRED = "security_two_factor_required"
LAST_SEEN = "security_last_seen"

DEVICE_NAME = "Authenticator app"


def session_mark_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """On login: note whether the session must pass a TOTP step, and start the idle clock."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[TWO_FACTOR_REQUIRED] = user_has_device(user, confirmed=True)
    request.session[LAST_SEEN] = int(time.time())


def two_factor_offered(*, user: User) -> bool:
    """Two-factor login is offered to cochairs and admins, who see confidential proposals."""
    if not user.is_authenticated:
        return False
    return bool(
        user.is_superuser
        or user.is_staff
        or ConferenceChair.objects.filter(user=user).exists()
        or user_has_device(user, confirmed=True)
    )


def two_factor_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def two_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the user scans; the same one until confirmed."""
    if not two_factor_offered(user=user):
        raise PermissionDenied("Two-factor login is offered to cochairs and admins.")
    if two_factor_device(user=user) is not None:
        raise ValidationError("Two-factor login is already on for your account.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def two_factor_enrolment_confirm(*, request: HttpRequest, user: User, token: str) -> TOTPDevice:
    """Confirm the pending device with a code from the app; this session counts as verified
    and every other session of the user ends (they logged in with a password only)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise ValidationError("Start the set-up again: there is no pending authenticator.")
        # verify_token records a failure (django-otp's throttling) with its own save, so a
        # wrong code is raised only after this block commits.
        accepted = device.verify_token(token)
        if accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    if not accepted:
        raise ValidationError(
            "That code is not right. Check the time on your phone and type the current code."
        )
    otp_login(request, device)
    request.session[TWO_FACTOR_REQUIRED] = True
    sessions_end_all(user=user, keep=request.session.session_key)
    return device


def two_factor_verify(*, request: HttpRequest, user: User, token: str) -> TOTPDevice:
    """Check a code at login; on success the session is verified under a new session key.

    Wrong codes slow down exponentially (django-otp's throttling: 1, 2, 4 … seconds)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise ValidationError("Two-factor login is not on for your account.")
        allowed, details = device.verify_is_allowed()
        # The failure count that verify_token saves must commit, so errors are raised below.
        accepted = allowed and device.verify_token(token)
    if not allowed:
        failures = (details or {}).get("failure_count", 0)
        raise ValidationError(
            f"{failures} wrong codes in a row: wait a few seconds before the next try.",
            code="throttled",
        )
    if not accepted:
        raise ValidationError("That code is not right.", code="invalid")
    # A new session key once the second factor is in: a key seen before it is worth nothing.
    request.session.cycle_key()
    otp_login(request, device)
    return device


@transaction.atomic
def two_factor_disable(*, user: User, password: str) -> int:
    """Remove the user's TOTP devices after checking their password; returns how many."""
    if not user.check_password(password):
        raise ValidationError({"password": "That is not your password."})
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def _session_store_class() -> type[SessionBase]:
    engine = import_module(settings.SESSION_ENGINE)
    store: type[SessionBase] = engine.SessionStore
    if not hasattr(store, "get_model_class"):
        raise ImproperlyConfigured(
            "Logging out everywhere needs a database session engine "
            "(django.contrib.sessions.backends.db or cached_db)."
        )
    return store


def sessions_of(*, user: User) -> list[str]:
    """Keys of the unexpired sessions logged in as ``user``.

    Django stores the user id inside the signed session data, so each unexpired session is
    decoded; this is linear in the number of live sessions (thousands, for one conference).
    """
    store = _session_store_class()
    model = store.get_model_class()  # type: ignore[attr-defined]
    decoder = store()
    keys = []
    rows = model.objects.filter(expire_date__gt=timezone.now()).values_list(
        "session_key", "session_data"
    )
    for key, data in rows.iterator(chunk_size=2000):
        if decoder.decode(data).get(SESSION_KEY) == str(user.pk):
            keys.append(key)
    return keys


def sessions_end_all(*, user: User, keep: str | None = None) -> int:
    """End every session of ``user`` except the one with key ``keep``; returns how many."""
    store = _session_store_class()
    ended = 0
    for key in sessions_of(user=user):
        if key != keep:
            store(session_key=key).delete()
            ended += 1
    return ended


def session_is_idle(*, session: SessionBase, now: float, timeout: dt.timedelta) -> bool:
    last_seen = session.get(LAST_SEEN)
    return last_seen is not None and now - float(last_seen) > timeout.total_seconds()


@transaction.atomic
def api_token_create(*, user: User) -> Token:
    """A new API token for ``user``; an earlier one stops working."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> bool:
    """Delete the user's API token; True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0
