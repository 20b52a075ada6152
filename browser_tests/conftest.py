"""Browser tests: Playwright (sync API) driving Debian's Chromium against `live_server`.

No browser is ever downloaded: the tests use /usr/bin/chromium (`apt-get install
chromium`). Without it every test here is skipped, with the reason, except when the
environment variable CI is set: then a missing browser fails the run, so that CI can never
pass by skipping them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test's thread; without this Django
# refuses database access from that thread ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
LOCALE = "nl-BE"  # lerend is Dutch (Flemish) first; Chromium otherwise asks for en-US
TIMEOUT_MS = 10_000
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-results"
BLOCKING_IMPACTS = {"serious", "critical"}


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make install-dev)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module.

    Playwright's sync API keeps an event loop running in the main thread while it is open;
    closing it after each module lets the tests that follow call `asyncio.run`.
    """
    reason = _unavailable()
    if reason:
        if os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}:
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the test, so a page can take a screenshot on failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _open_page(
    browser: Any, request: pytest.FixtureRequest, live_server: Any, viewport: dict[str, int]
) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale=LOCALE,
        timezone_id="Europe/Brussels",
        service_workers="block",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.errors = []  # uncaught script errors and Content Security Policy violations
    page.on("pageerror", lambda error: page.errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            page.errors.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield page
        call = getattr(request.node, "report_call", None)
        if call is not None and call.passed:
            assert page.errors == [], "\n".join(page.errors)
    finally:
        call = getattr(request.node, "report_call", None)
        if call is not None and call.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(browser, request, live_server, transactional_db) -> Iterator[Any]:
    """A phone-sized page (360 x 740), Dutch, on a fresh database."""
    yield from _open_page(browser, request, live_server, PHONE)


@pytest.fixture
def desktop_page(browser, request, live_server, transactional_db) -> Iterator[Any]:
    """A desktop-sized page (1280 x 800), Dutch, on a fresh database."""
    yield from _open_page(browser, request, live_server, DESKTOP)


def check_accessible(page: Any) -> None:
    """Run axe-core on the page; fail on any serious or critical violation, listing them."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} serious or critical accessibility violations on {page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
                if node.get("failureSummary"):
                    lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def assert_accessible() -> Callable[[Any], None]:
    """`assert_accessible(page)`: axe-core finds nothing serious or critical on the page."""
    return check_accessible
