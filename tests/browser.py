"""A real browser for the portal's tests: Debian's chromium driven headless by Playwright
(no browser download), and the folder where the screenshots are kept."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
# Kept after the run (build/ is not committed); the run's summary prints where.
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "test-artifacts" / "portal"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


def missing_reason() -> str | None:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return "Debian's chromium is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless chromium; the test is skipped without it (and fails under CI=true)."""
    reason = missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests cannot run in CI: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or "")
    with sync_playwright() as playwright:
        # --no-sandbox: chromium's sandbox cannot start as root (CI runs as root).
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
