import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import ChairFactory, ConferenceFactory


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app shows for ``device`` (django-otp's own TOTP)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def conference(db):
    return ConferenceFactory()


@pytest.fixture
def chair_user(conference):
    return ChairFactory(conference=conference).user


@pytest.fixture
def chair_with_device(chair_user):
    TOTPDevice.objects.create(user=chair_user, name="Phone", confirmed=True)
    return chair_user


@pytest.fixture
def client_factory():
    """More browsers: each call is a separate client with its own cookies."""
    return Client
