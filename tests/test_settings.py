"""Production settings: refuse weak keys, pass Django's deployment checklist."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests in this process.
        if key
        not in {
            "SECRET_KEY",
            "DEBUG",
            "EXPO_ENV",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", EXPO_ENV="production", ALLOWED_HOSTS="expo.example.org")
    assert result.returncode != 0
    assert "needs a SECRET_KEY" in result.stderr


def test_production_refuses_the_development_key():
    from expo.settings import DEVELOPMENT_SECRET_KEY

    result = manage(
        "check",
        EXPO_ENV="production",
        SECRET_KEY=DEVELOPMENT_SECRET_KEY,
        ALLOWED_HOSTS="expo.example.org",
    )
    assert result.returncode != 0


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        EXPO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="expo.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues (0 silenced)" in result.stdout


def test_unknown_environment_name_is_refused():
    result = manage("check", EXPO_ENV="staging")
    assert result.returncode != 0
    assert "EXPO_ENV must be" in result.stderr
