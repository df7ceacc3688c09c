"""The browser harness: Debian's Chromium driven by Playwright against a live server.

The browser is the system one (`/usr/bin/chromium`, installed by `make setup-test`), never
one that Playwright downloads. Pages come from `browser_as(user)` (signed in through a real
session's cookies, without the sign-in form) or `anonymous_page`; every page records its
console errors and uncaught exceptions in `page.confab_errors`, and a test whose pages threw
or broke the Content Security Policy fails at teardown.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    expect,
    sync_playwright,
)

from apps.teams.services import team_member_add
from tests.factories import UserFactory, make_team

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS_DIR = ROOT / "var" / "screenshots"
DEFAULT_TIMEOUT_MS = 10_000
# Console text that means the browser blocked something under the CSP.
CSP_MARKERS = ("Content Security Policy", "Refused to")


@pytest.fixture(scope="package")
def chromium_browser() -> Iterator[Browser]:
    """One headless Chromium per test process, while the tests of this package run.

    Package scope, not session: Playwright's sync API keeps its asyncio loop marked as
    running in the main thread from start() to stop(). While it is, Django refuses ORM
    calls there (SynchronousOnlyOperation) and asgiref's async_to_sync and asyncio.run
    refuse to run at all, so a browser left open would break the other packages' tests
    that an xdist worker runs after these. Pytest tears this down on leaving tests/web.

    For the same reason, DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly the browser's
    lifetime: the tests here make their data, and pytest-django flushes the database,
    in that thread while the loop is "running" — no coroutine is ever actually running
    there, so the check Django makes is a false alarm in this one case.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's chromium. "
            "Run `make setup-test` (it installs the Debian package chromium)."
        )
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            # Chromium's sandbox cannot start as root (CI runs as root); as a normal user
            # it stays on.
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
            try:
                yield browser
            finally:
                browser.close()
        finally:
            playwright.stop()


def _watch(page: Page) -> Page:
    """Record the page's console errors and uncaught exceptions in `page.confab_errors`,
    as `(kind, text)` with kind "console" or "pageerror"."""
    errors: list[tuple[str, str]] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or any(m in message.text for m in CSP_MARKERS):
            errors.append(("console", f"console.{message.type}: {message.text}"))

    def on_page_error(error: Error) -> None:
        errors.append(("pageerror", f"uncaught {error.name}: {error.message}"))

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.confab_errors = errors
    return page


def _loud_errors(page: Page) -> list[str]:
    """What fails a test: uncaught exceptions, and anything the CSP blocked."""
    return [
        text
        for kind, text in page.confab_errors
        if kind == "pageerror" or any(m in text for m in CSP_MARKERS)
    ]


class _Pages:
    """The contexts and pages a test opened: closed, then checked, at its teardown."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.pages: list[Page] = []

    def new_context(self, *, locale: str, viewport: tuple[int, int]) -> BrowserContext:
        width, height = viewport
        context = self.browser.new_context(
            base_url=self.base_url, locale=locale, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.contexts.append(context)
        return context

    def new_page(self, context: BrowserContext) -> Page:
        page = _watch(context.new_page())
        self.pages.append(page)
        return page

    def close_and_check(self) -> None:
        for context in self.contexts:
            context.close()
        problems = [f"{page.url}: {text}" for page in self.pages for text in _loud_errors(page)]
        if problems:
            pytest.fail(
                "The browser saw uncaught exceptions or Content Security Policy "
                "violations:\n  " + "\n  ".join(problems)
            )


@pytest.fixture
def _pages(live_server_url: str, chromium_browser: Browser) -> Iterator[_Pages]:
    pages = _Pages(chromium_browser, live_server_url)
    yield pages
    pages.close_and_check()


@pytest.fixture
def browser_as(live_server_url: str, _pages: _Pages) -> Callable[..., Page]:
    """`browser_as(user, *, locale="en-US", viewport=(1280, 800))` is a new page, in a
    context of its own (its own cookies), signed in as `user`.

    The sign-in skips the UI: a real session from `session_create`, and the cookies the
    sign-in response would set (see apps/accounts/cookies.py).
    """
    from apps.accounts.authentication import AUTH_COOKIE, CSRF_COOKIE, USER_ID_COOKIE
    from apps.accounts.services.sessions import session_create

    host = urlparse(live_server_url).hostname

    def open_as(user, *, locale: str = "en-US", viewport: tuple[int, int] = (1280, 800)) -> Page:
        session, token = session_create(user=user)
        context = _pages.new_context(locale=locale, viewport=viewport)

        def cookie(name: str, value: str, *, http_only: bool = False) -> dict:
            return {
                "name": name,
                "value": value,
                "domain": host,
                "path": "/",
                "httpOnly": http_only,
                "sameSite": "Lax",
            }

        context.add_cookies(
            [
                cookie(AUTH_COOKIE, token, http_only=True),
                cookie(USER_ID_COOKIE, user.id),
                cookie(CSRF_COOKIE, session.csrf_token),
            ]
        )
        return _pages.new_page(context)

    return open_as


@pytest.fixture
def anonymous_page(_pages: _Pages) -> Page:
    """A page in a fresh context with no cookies: nobody signed in."""
    return _pages.new_page(_pages.new_context(locale="en-US", viewport=(1280, 800)))


def screenshot(page: Page, name: str) -> Path:
    """Save what the viewport shows to var/screenshots/<name>.png; returns the path."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# --- a team of three, as most two-user browser tests need --------------------------------


@pytest.fixture
def people(transactional_db):
    """An admin (the first account) who made team acme; alice and bob, its members."""
    admin = UserFactory(username="root")
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    acme = make_team(admin, name="acme", display_name="Acme")
    for user in (alice, bob):
        team_member_add(actor=admin, team_id=acme.id, user_id=user.id)
    return {"admin": admin, "alice": alice, "bob": bob, "acme": acme}


def open_channel(page: Page, name: str = "town-square") -> None:
    page.goto(f"/acme/channels/{name}")
    expect(page.locator("#channel")).to_have_attribute("data-channel-name", name)
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
