"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The ``browser`` and ``page`` fixtures live in tests/conftest.py, so that every module shares one
Playwright instance per test process (a second sync Playwright in the same thread fails).
Browser tests are marked ``e2e`` and ``slow``. Without Chromium they skip, unless
EXPO_REQUIRE_BROWSER=1 (set by CI's .ci/run), where a missing browser is a failure.
"""

import shutil
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "e2e-screenshots"


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot under var/e2e-screenshots/ (looked at by people, not tests)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
