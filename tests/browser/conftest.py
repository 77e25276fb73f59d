"""Browser tests: the web app served on a free loopback port, driven by Debian's Chromium.

Playwright's Python driver is only the remote control: the browser is `/usr/bin/chromium`,
launched by path (never a downloaded one; never `playwright install`). One browser and one
served app are shared by the session (the tests that change the index — the library's, the
first start — serve their own); every test gets a fresh browser context (its own storage,
clipboard permission and viewport), so tests do not see each other's chat history or login.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from tests.conftest import CORPUS, make_settings

CHROMIUM = Path(os.environ.get("ASSISTANT_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 30_000  # a step that takes longer fails the test (a failure, not a timing check)


REQUIRED = os.environ.get("TESTS_REQUIRE_CHROMIUM") == "1"  # set by .ci/run: never skip them there


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium every browser test is skipped, with the reason (CI installs it, and with
    TESTS_REQUIRE_CHROMIUM=1 a missing Chromium fails them instead)."""
    if CHROMIUM.exists() or REQUIRED:
        return
    skip = pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_copy(seed: Settings, dest: Path) -> Settings:
    """A writable copy of the seed index and of the corpus (uploads and deletes stay private)."""
    shutil.copytree(seed.index_dir, dest / "index")
    shutil.copytree(CORPUS, dest / "corpus", ignore=shutil.ignore_patterns("uploads"))
    return make_settings(dest / "index", corpus_dir=dest / "corpus")


@dataclass
class Served:
    """One app serving in this process (a background thread): its URL, settings and context."""

    url: str
    settings: Settings
    demo: Any

    @property
    def ctx(self) -> Any:  # assistant.web.context.WebContext
        return self.demo.assistant_context

    def close(self) -> None:
        self.demo.close()
        self.ctx.close()


def serve(settings: Settings, **kw: Any) -> Served:
    """Build the app over `settings` and serve it on a free loopback port (returns at once)."""
    from assistant.web.app import build_app, launch

    auth = kw.pop("auth", None)
    demo = build_app(settings, **kw)
    url = launch(demo, settings, host="127.0.0.1", port=free_port(), auth=auth, block=False, quiet=True)
    return Served(url.rstrip("/"), settings, demo)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, started once for the browser tests and stopped after them
    (Playwright's sync API holds an event loop in the main thread while it runs, which the
    other tests' `asyncio.run` must not find)."""
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    # Chromium is there: the browser tests run, and a missing driver is an error, not a skip
    from playwright import sync_api
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def served(seed_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over a private copy of the seed index (hash embedder), shared by the modules that
    do not change the index (each test has its own browser context: storage, history, login)."""
    app = serve(private_copy(seed_index, tmp_path_factory.mktemp("served")))
    try:
        yield app
    finally:
        app.close()


_PAGES: list[Any] = []  # pages of the running test, photographed if it fails


def new_page(browser: Any, url: str, *, viewport: dict[str, int] = DESKTOP, **context: Any) -> Any:
    """A page in a fresh context (own storage), with clipboard access and a Vietnamese locale."""
    ctx = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True, **context)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    ctx.set_default_timeout(WAIT_MS)
    page = ctx.new_page()
    _PAGES.append(page)
    return page


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed browser test leaves a screenshot of each of its pages in the test's tmp folder."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and _PAGES:
        folder = Path(os.environ.get("ASSISTANT_FAILURE_SHOTS", "/tmp")) / "assistant-browser-failures"
        folder.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(_PAGES):
            try:
                page.screenshot(path=str(folder / f"{item.name}-{i}.png"), full_page=True)
            except Exception:  # noqa: BLE001, S110 - a closed page: nothing to show
                pass
    if report.when == "teardown":
        _PAGES.clear()


@pytest.fixture
def pages(browser: Any) -> Iterator[Any]:
    """`pages(url, **context)` opens a page in a fresh browser context; all closed after the test
    (after a failed test has been photographed)."""
    opened: list[Any] = []

    def open_page(url: str, **kw: Any) -> Any:
        p = new_page(browser, url, **kw)
        opened.append(p)
        return p

    yield open_page
    for p in opened:
        p.context.close()


@pytest.fixture
def page(pages: Any, served: Served) -> Any:
    """A desktop-sized page (1366×900) on the module's app."""
    return pages(served.url)


@pytest.fixture
def phone(pages: Any, served: Served) -> Any:
    """A phone-sized page (390×844, touch) on the module's app."""
    return pages(served.url, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def table_rows(page: Any, table: str) -> list[str]:
    """The text of each data row a Gradio table shows (its rows are `div[role=row]`, rendered
    as they scroll into view: the tables here are short enough to show whole)."""
    rows = page.locator(f"{table} [role=row].virtual-row")
    return [" | ".join(rows.nth(i).locator("[role=gridcell]").all_inner_texts()) for i in range(rows.count())]


def download_link(page: Any, button: str, suffix: str, dest: Path) -> Path:
    """Click `button`, then the download link it makes for a `suffix` file; the file saved at `dest`."""
    page.get_by_role("button", name=button).click()
    link = page.locator(f"a[href*='{suffix}']").first
    link.wait_for()
    with page.expect_download() as got:
        link.click()
    got.value.save_as(dest)
    return dest


SHOTS = os.environ.get("ASSISTANT_SCREENSHOT_DIR")  # read at import: tests run without ASSISTANT_* variables


def snap(page: Any, name: str, *, full_page: bool = False) -> None:
    """With ASSISTANT_SCREENSHOT_DIR set (scripts/screenshots.py), save the page for the README."""
    folder = SHOTS
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"screenshot-{name}.png"), full_page=full_page)


TAB_SHOWN = {"qa": "#qa-question", "draft": "#draft-indicators", "compare": "#compare-go",
             "library": "#library-table"}


def open_tab(page: Any, url: str, tab: str) -> None:
    """Open the app on one tab (`?tab=qa|draft|compare|library`) and wait until it is usable."""
    page.goto(f"{url}/?tab={tab}")
    page.locator("#app-ready").wait_for(state="attached")
    page.locator(TAB_SHOWN[tab]).first.wait_for(state="visible")


PASSWORD = "mat-khau-dai-9"
ACCOUNTS = {"canbo_daison": "Đại Sơn", "canbo_tinh": "*"}  # a commune officer and province staff


@pytest.fixture(scope="module")
def served_login(seed_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app with logins (as when opened to other machines): per-commune drafts, staff rebuilds."""
    from assistant.web.auth import hash_password, make_checker

    check = make_checker({user: hash_password(PASSWORD) for user in ACCOUNTS})
    app = serve(private_copy(seed_index, tmp_path_factory.mktemp("served-login")), accounts=ACCOUNTS,
                auth=check)
    try:
        yield app
    finally:
        app.close()


def log_in(page: Any, url: str, user: str, password: str = PASSWORD, tab: str = "qa") -> None:
    """Sign in on the login page, then open `tab`."""
    page.goto(f"{url}/?tab={tab}")
    page.get_by_label("Tên đăng nhập").fill(user)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("#app-ready").wait_for(state="attached")
