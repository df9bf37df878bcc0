"""Browser fixtures: one build of the repository's site, one local server, one Chromium.

The tests drive Debian's Chromium (``/usr/bin/chromium``) through Playwright; no
browser is ever downloaded. Every request that would leave 127.0.0.1 is recorded
and aborted, so the tests never touch the network, and console errors and
uncaught page errors are recorded too: see :class:`Tab`.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    sync_playwright,
)

from tests.conftest import ROOT, Built, Project

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": DESKTOP},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
}
"""``open_tab`` options by device name: ``open_tab(base_url, **DEVICES["phone"])``."""
SCHEMES = ("default", "slate")
"""Material's palette schemes: light and dark (see :func:`use_scheme`)."""
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
_LOCAL = re.compile(r"^http://127\.0\.0\.1(?::\d+)?/")


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serve a site folder without logging every request to stderr. An unknown path
    gets the site's own 404 page with status 404, as GitHub Pages serves it: the
    ``404.html`` of the first folder of the path (a site served under a sub-path),
    else of the served folder."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self._not_found_page() if code == 404 else None
        if page is None:
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_found_page(self) -> Path | None:
        root = Path(self.directory)
        first = urlsplit(self.path).path.lstrip("/").split("/", 1)[0]
        folders = [root / first, root] if first not in ("", ".", "..") else [root]
        return next((f / "404.html" for f in folders if (f / "404.html").is_file()), None)


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=os.fspath(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Tab:
    """A page in a fresh browser context, with everything it requested and logged."""

    page: Page
    base_url: str
    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return self.base_url + path.lstrip("/")

    def open(self, path: str = "", *, quiet: bool = False) -> Page:
        """Go to a site path ('', 'concepts/lora/'); with ``quiet``, wait for the network too."""
        response = self.page.goto(self.url(path), wait_until="networkidle" if quiet else "load")
        assert response is not None, f"no response for {path!r}"
        assert response.ok, f"{path!r} answered {response.status}"
        return self.page

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no failed local request, no other host."""
        assert self.console_errors == []
        assert self.failures == []
        assert self.external == []


def use_scheme(page: Page, scheme: str) -> None:
    """Switch Material's palette as its toggle does (``data-md-color-scheme`` on the
    body) and check that it took effect: slate's background is dark, the default's light."""
    page.evaluate("scheme => document.body.setAttribute('data-md-color-scheme', scheme)", scheme)
    assert page.evaluate("document.body.dataset.mdColorScheme") == scheme
    color: str = page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [float(c) for c in re.findall(r"[\d.]+", color)[:3]]
    dark = max(channels) < 80
    assert dark is (scheme == "slate"), f"{scheme}: the page's background is {color}"


def _record(context: BrowserContext, page: Page, tab: Tab) -> None:
    def on_request(request: Request) -> None:
        tab.requests.append(request.url)
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and not _LOCAL.match(
            request.url
        ):
            tab.external.append(request.url)

    def on_response(response: Response) -> None:
        if response.status >= 400 and _LOCAL.match(response.url):
            tab.failures.append(f"{response.status} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = str(message.location.get("url", ""))
        tab.console_errors.append(f"{message.text} ({source})")

    def on_page_error(error: Exception) -> None:
        tab.console_errors.append(f"uncaught: {error}")

    def abort(route: Route) -> None:
        route.abort("blockedbyclient")

    context.on("request", on_request)
    context.on("response", on_response)
    context.route(lambda url: not _LOCAL.match(url), abort)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, once per session. Missing Chromium is a failure."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium."
            " Install it with `sudo apt-get install chromium` (or `make browser-deps`);"
            " Playwright's own browser downloads are not used.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.fspath(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The repository's own site, built once per session with ``--strict``."""
    built = Project(ROOT).build(site_dir=tmp_path_factory.mktemp("browser") / "site")
    assert built.ok, f"the site did not build: {built.error}\n{built.log}"
    return built


@pytest.fixture(scope="session")
def site_url(site: Built) -> Iterator[str]:
    """Base URL of the built site, served on 127.0.0.1."""
    with serve(site.site_dir) as base_url:
        yield base_url


TabFactory = Callable[..., Tab]


@pytest.fixture
def open_tab(browser: Browser) -> Iterator[TabFactory]:
    """Make tabs on any served site: ``open_tab(base_url, viewport=PHONE)``."""
    contexts: list[BrowserContext] = []

    def make(base_url: str, *, viewport: dict[str, int] | None = None, **options: Any) -> Tab:
        context = browser.new_context(
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            color_scheme="light",
            reduced_motion="reduce",
            service_workers="block",
            **options,
        )
        contexts.append(context)
        context.set_default_timeout(10_000)
        page = context.new_page()
        tab = Tab(page, base_url)
        _record(context, page, tab)
        return tab

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def tab(open_tab: TabFactory, site_url: str) -> Tab:
    """A desktop-sized page on the repository's site."""
    return open_tab(site_url)
