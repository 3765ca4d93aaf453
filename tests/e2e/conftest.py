"""Browser tests: a real Chromium, driven by Playwright's sync API, against the live server.

The browser is Debian's Chromium (`apt-get install chromium`), never a Playwright download:
`/usr/bin/chromium`, or the path in the CHROMIUM_PATH environment variable. Without it every
test here is skipped, and the reason shows in the `-ra` summary and at the end of the run.

Every test here is marked `e2e`. A test fails on any console error (a CSP violation, a
404 sub-resource, broken JS), any uncaught page error and any 5xx response, so that the
pages are checked as a person's browser sees them.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = (
    f"Chromium not found at {CHROMIUM_PATH}: apt-get install chromium to run the browser tests"
)
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000
# A form's submit buttons: <button> without a type submits too.
SUBMIT = "button:not([type=button]):not([type=reset]), input[type=submit]"


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    skip = pytest.mark.skip(reason=NO_CHROMIUM)
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if not chromium_available():
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say it loudly when the browser tests could not run."""
    if chromium_available():
        return
    skipped = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if NO_CHROMIUM in str(getattr(r, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS NOT RUN", red=True, bold=True)
        terminalreporter.write_line(f"{len(skipped)} e2e tests skipped. {NO_CHROMIUM}.", red=True)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests (they all live in this package).

    Playwright gives it a fresh temporary profile (a new --user-data-dir under the temp
    directory, removed on close); launch() refuses a --user-data-dir argument, which only
    its persistent-context API takes.

    From sync_playwright().start() to stop(), Playwright's asyncio loop stays registered as
    "running" in the main thread, so Django's async guard refuses every ORM call made there
    (seeding, the transactional_db flush) with SynchronousOnlyOperation ("You cannot call
    this from an async context"). DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that span:
    nothing touches the ORM concurrently (the loop only serves the browser pipe). It is not
    set process-wide at import, because the rest of the suite would lose the guard, and
    subprocesses would inherit it (`check --deploy` then fails with async.E001). Hence
    package scope, not session: the browser stops after the last test here.
    """
    if not chromium_available():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
            )
            try:
                yield chromium
            finally:
                chromium.close()
        finally:
            playwright.stop()


@pytest.fixture
def viewport() -> dict[str, int]:
    """The page's window size; override with `@pytest.mark.parametrize("viewport", [...])`
    or by redefining this fixture in a test module."""
    return dict(DESKTOP)


class BrowserProblems:
    """Console errors, page errors and server errors seen during one test."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.items: list[str] = []

    def on_console(self, message) -> None:
        if message.type == "error":
            where = message.location or {}
            self.items.append(f"console error: {message.text} ({where.get('url', '?')})")

    def on_page_error(self, error) -> None:
        self.items.append(f"page error: {error}")

    def on_response(self, response) -> None:
        if response.status >= 500 and response.url.startswith(self.base_url):
            self.items.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def page(request, browser, live_server, viewport):
    """A page in a new browser context (fresh cookies) per test, pointed at the live server.

    Relative URLs work: `page.goto("/records/mine/")`. Browser problems collected here fail
    the test (see pytest_runtest_call below)."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    problems = BrowserProblems(live_server.url)
    new_page = context.new_page()
    new_page.on("console", problems.on_console)
    new_page.on("pageerror", problems.on_page_error)
    new_page.on("response", problems.on_response)
    request.node.e2e_page = new_page
    request.node.e2e_problems = problems
    yield new_page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Turn browser problems into a test failure (not a teardown error), and keep a
    screenshot of the page when a test fails."""
    try:
        result = yield
    except BaseException as exc:
        failed = not isinstance(exc, pytest.skip.Exception | KeyboardInterrupt)
        page_ = getattr(item, "e2e_page", None)
        if failed and page_ is not None and not page_.is_closed():
            path = save_screenshot(page_, f"FAILED-{item.name}")
            exc.add_note(f"Screenshot of the page at failure: {path}")
        problems = getattr(item, "e2e_problems", None)
        if problems is not None and problems.items:
            exc.add_note("Browser problems:\n  " + "\n  ".join(problems.items))
        raise
    problems = getattr(item, "e2e_problems", None)
    if problems is not None and problems.items:
        page_ = item.e2e_page
        where = page_.url if not page_.is_closed() else "?"
        pytest.fail(
            f"The browser reported {len(problems.items)} problem(s) (last page {where}):\n  "
            + "\n  ".join(problems.items),
            pytrace=False,
        )
    return result


def save_screenshot(page_, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", name).strip("_") or "page"
    path = SCREENSHOTS / f"{safe}.png"
    page_.screenshot(path=str(path), full_page=True)
    return path


def assert_fits(page_, what: str | None = None) -> None:
    """The page never scrolls sideways (docs/quality.md "Usability": works at 375 px): it
    is no wider than its window, whatever the window's size."""
    scroll, client = page_.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    window = page_.viewport_size["width"]
    assert scroll <= client and scroll <= window, (
        f"{what or page_.url} scrolls sideways at {window} px: scrollWidth {scroll},"
        f" clientWidth {client}"
    )


@pytest.fixture
def screenshot() -> Callable:
    """`screenshot(page, "student-375x812")` saves test-artifacts/screenshots/<name>.png."""
    return save_screenshot


@pytest.fixture
def login() -> Callable:
    """`login(page, username, password)`: log in through the real log-in form.

    Fails with the page's own error text when the form comes back (wrong password,
    throttling). Leaves the page wherever the portal redirected to."""
    from django.urls import reverse

    login_path = reverse("accounts:login")

    def log_in(page_, username: str, password: str) -> None:
        page_.goto(login_path)
        form = page_.locator("form:has(input[name='username'])")
        form.locator("input[name='username']").fill(username)
        form.locator("input[name='password']").fill(password)
        with page_.expect_navigation():
            form.locator(SUBMIT).first.click()
        if page_.url.split("?")[0].endswith(login_path):
            errors = page_.locator("main").inner_text()
            raise AssertionError(f"log-in as {username!r} failed; the page says:\n{errors}")

    return log_in


@pytest.fixture
def logout() -> Callable:
    """`logout(page)`: press the log-out button (a POST form) and wait for the next page."""
    from django.urls import reverse

    logout_path = reverse("accounts:logout")

    def log_out(page_) -> None:
        button = page_.locator(f"form[action='{logout_path}']").locator(SUBMIT)
        with page_.expect_navigation():
            button.click()

    return log_out


@pytest.fixture(scope="session", autouse=True)
def _clean_screenshots() -> Iterator[None]:
    """Each run starts with an empty screenshot folder, so no stale picture misleads."""
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    yield
