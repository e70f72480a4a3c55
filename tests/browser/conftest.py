"""Browser tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright against a live server.

Screenshots of each main page go to tests/artifacts/ (ignored by git) so a person can look at them.
Skipped when Chromium is not installed (.ci/run installs it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make there are plain
# synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason="Debian's chromium is not installed (.ci/run installs it)")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # CI runs two test workers, a live server and Chromium on two shared cores: the 5 s default of expect()
    # is too short for a page that is merely slow, so it waits as long as page actions do.
    expect.set_options(timeout=15_000)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def reference_data(transactional_db):
    # live_server tests run in transactions that are flushed afterwards: reload reference data when missing.
    from satuatap.reference import services as reference_services
    from satuatap.reference.models import Office

    if not Office.objects.filter(code="LTSA-IDM").exists():
        reference_services.reference_load(villages=False, progress=False)
    from satuatap.placement import services as placement_services
    from satuatap.placement.models import JobTitle

    if not JobTitle.objects.exists():
        placement_services.placement_reference_load()
    # The placement rules (job titles, rule sets) that case opening and step completion are checked against.
    from satuatap.placement import services as placement_services
    from satuatap.placement.models import JobTitle

    if not JobTitle.objects.exists():
        placement_services.placement_reference_load()


@pytest.fixture
def page(browser, live_server, reference_data):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    yield page
    context.close()


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot under tests/artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
