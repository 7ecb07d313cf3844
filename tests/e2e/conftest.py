"""Browser tests: Playwright for Python driving Debian's Chromium against `live_server`.

No browser is downloaded: the tests use `/usr/bin/chromium` and, when it is missing and we
run as root, install it with apt-get. Where it still cannot be had the browser tests skip
with the reason, except under CI=true, where a missing browser is a failure.

Each test gets a fresh browser context (a phone: 390×844, touch, Indonesian locale) on one
browser per run, and `screenshot(page, step)` saves full-page PNGs to
`var/test-artifacts/e2e/<test name>-<step>.png` to look at after the run.
"""

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium as root, with no network: no sandbox (root), no GPU, and none of the
# background calls home that would hang or log errors offline.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
APT_TIMEOUT_SECONDS = 600
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "e2e"

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "id-ID",
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "id-ID"}

_failed = pytest.StashKey[bool]()


def _install_chromium() -> str:
    """apt-get chromium (root only); '' when installed, else why not."""
    if os.geteuid() != 0:
        return "not running as root, so cannot apt-get install chromium"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            subprocess.run(
                command, env=env, check=True, capture_output=True, timeout=APT_TIMEOUT_SECONDS
            )
    except FileNotFoundError:
        return "apt-get is not available"
    except subprocess.TimeoutExpired as exc:
        return f"`{' '.join(exc.cmd)}` took longer than {APT_TIMEOUT_SECONDS} s"
    except subprocess.CalledProcessError as exc:
        tail = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return f"`{' '.join(exc.cmd)}` failed ({exc.returncode}): {tail[0]}"
    return ""


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, installed when missing; skips (fails under CI=true) without it."""
    if not CHROMIUM.exists():
        why = _install_chromium()
        if not CHROMIUM.exists():
            why = why or "apt-get install chromium did not provide it"
            reason = f"{CHROMIUM} is missing and could not be installed: {why}"
            if IN_CI:
                pytest.fail(f"Chromium is required under CI=true: {reason}", pytrace=False)
            pytest.skip(reason)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    # The sync API runs an event loop in the main thread, so Django's ORM (fixtures, asserts
    # on the database) would refuse to run next to it. Only for the browser tests' lifetime.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_failed] = True
    return report


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable:
    """`screenshot(page, step)`: a full-page PNG under var/test-artifacts/e2e/.

    The test's screenshots from an earlier run are removed first, so what is there is current.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for old in ARTIFACTS.glob(f"{test_name}-*.png"):
        old.unlink()

    def take(page, step: str) -> Path:
        path = ARTIFACTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def new_page(browser, live_server, request: pytest.FixtureRequest, screenshot) -> Iterator:
    """`new_page(**context_options)`: a page on the live server in a fresh browser context.

    Uncaught JavaScript errors fail the test; a failing test leaves a `-failed` screenshot.
    """
    contexts, pages, errors = [], [], []

    def open_page(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        pages.append(page)
        return page

    yield open_page
    if request.node.stash.get(_failed, False):
        for index, page in enumerate(pages):
            screenshot(page, "failed" if index == 0 else f"failed-{index}")
    for context in contexts:
        context.close()
    assert not errors, "JavaScript errors on the page:\n" + "\n".join(errors)


@pytest.fixture
def page(new_page):
    """A phone's page (390×844, touch, id-ID) on the live server."""
    return new_page(**PHONE)
