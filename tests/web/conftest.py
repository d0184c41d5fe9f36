"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

That server is WSGI: it has no websocket, so live.js retries in the background there. Tests of the
live updates use ``asgi_server`` and ``asgi_page`` instead: the real ASGI application (HTTP and
Channels) served by uvicorn in a thread of the test process, on the same test database.

Without ``/usr/bin/chromium`` the tests skip (``apt-get install -y chromium``), except on CI
(``CI=true``), where a missing browser fails them. Screenshots go to ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.utils import timezone

from content import media
from content.models import ContentItem, Product, Tag
from feedsite.serve import SERVER_OPTIONS
from profiles.demo import render
from profiles.events.consumer import EventConsumer
from profiles.middleware import VISITOR_SALT
from profiles.models import Shopper
from tests.factories import ContentItemFactory, CreatorFactory, ProductFactory, TagFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# The tracker's timings in the page, shortened so that a test waits tenths of seconds, not seconds.
FAST_TRACKER = "window.feedsiteTrackerOptions = {impressionMs: 300, minDwellMs: 200, flushMs: 300};"
# Every page reports what its Content-Security-Policy blocked as a console error (Chromium logs most
# of it itself; the event also catches what it only counts), which fails the test (``_pages``).
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));"""
# Test media: rendered once, kept in the media storage under this folder (like the demo's pool).
MEDIA_DIR = "test-web"
T = TypeVar("T")


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for the package. Playwright's sync API runs an event loop in this thread, which
    Django would take for async code: the ORM calls of the tests themselves are allowed while it
    runs (the live server answers in threads of its own)."""
    if not shutil.which(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} Browser tests are required on CI.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextlib.contextmanager
def _pages(browser: Any, base_url: str) -> Iterator[Callable[..., Any]]:
    """A page factory for the server at ``base_url``; on the way out, fails if a page's script failed."""
    contexts = []

    def make(size: str = "phone", *, tracker: str = FAST_TRACKER) -> Any:
        phone = size == "phone"
        context = browser.new_context(
            base_url=base_url,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=1,
        )
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        context.add_init_script(tracker)
        context.add_init_script(CSP_WATCH)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda message: _csp_violation(page, message))
        return page

    yield make
    errors = [error for context in contexts for page in context.pages for error in page.errors]
    for context in contexts:
        for page in context.pages:
            # Closing hides the page, and a hidden page beacons its events: keep them out of the next test.
            with contextlib.suppress(Exception):
                page.evaluate("() => window.feedsite?.tracker?.setConsent('refused')")
        context.close()
    assert errors == [], "the page's script failed, or its Content-Security-Policy blocked something"


def _csp_violation(page: Any, message: Any) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        page.errors.append(message.text)


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., Any]]:
    """``new_page("phone" | "desktop")``: a fresh browser context (no cookies) and a page in it."""
    with _pages(browser, live_server.url) as make:
        yield make


@dataclass(frozen=True)
class AsgiServer:
    """The project's ASGI application served by uvicorn in a thread of this process."""

    url: str
    loop: asyncio.AbstractEventLoop

    def run(self, coroutine: Callable[[], Awaitable[T]]) -> T:
        """Await ``coroutine()`` on the server's event loop (where its sockets and hub live)."""
        return asyncio.run_coroutine_threadsafe(coroutine(), self.loop).result(timeout=30)

    def call(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run sync ``function`` as a view of the server would: in a worker thread of its event loop.

        What it sends to the channel layer (``async_to_sync`` in ``ranking.push``) then runs on the
        server's loop, which the in-memory layer needs (its queues belong to one loop); and this
        thread, which runs Playwright's event loop, could not call ``async_to_sync`` at all.
        """

        def closing() -> T:
            try:
                return function(*args, **kwargs)
            finally:
                connections.close_all()

        return self.run(lambda: sync_to_async(closing, thread_sensitive=False)())


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[AsgiServer]:
    """``feedsite.asgi:application`` (HTTP and the Channels websocket routes) on a free port, per test.

    Served as ``make run`` serves it (uvicorn, no per-message deflate), in a thread with its own
    event loop; its requests use the test database through their own connections, so the test
    must be transactional. Static files come from the finders (``ASGIStaticFilesHandler``, the
    ASGI twin of the live server's handler) rather than from WhiteNoise, which serves only what
    ``collectstatic`` wrote, unless ``DEBUG`` was on when ``feedsite.asgi`` was first imported: on
    at collection time, off under pytest-django, so it depends on which tests were collected.
    """
    from feedsite.asgi import application

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            ASGIStaticFilesHandler(application),
            **SERVER_OPTIONS,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
    )
    loops: list[asyncio.AbstractEventLoop] = []

    async def serve() -> None:
        loops.append(asyncio.get_running_loop())
        await server.serve(sockets=[listener])

    def run() -> None:
        try:
            asyncio.run(serve())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="asgi-server", daemon=True)
    thread.start()
    for _ in range(200):
        if server.started or not thread.is_alive():
            break
        thread.join(timeout=0.05)
    assert server.started, "uvicorn did not start (see the log above)"
    try:
        yield AsgiServer(url=f"http://127.0.0.1:{port}", loop=loops[0])
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()


@pytest.fixture
def asgi_page(browser, asgi_server) -> Iterator[Callable[..., Any]]:
    """``new_page`` for ``asgi_server``: pages whose websocket connects."""
    with _pages(browser, asgi_server.url) as make:
        yield make


@pytest.fixture
def phone_page(new_page) -> Any:
    return new_page("phone")


@pytest.fixture
def desktop_page(new_page) -> Any:
    return new_page("desktop")


def screenshot(page: Any, name: str) -> Path:
    """Save ``test-artifacts/screenshots/<name>-<width>x<height>.png``; returns the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path))
    return path


def drain() -> int:
    """Run the event consumer over everything accepted so far (events → Interaction rows).

    In a thread of its own, as in production: this thread runs Playwright's event loop, and the
    consumer's after-batch callbacks (live counters) may not run beside one.
    """
    handled: list[int] = []

    def run() -> None:
        try:
            handled.append(EventConsumer(name="web-tests", block_ms=0).drain())
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=30)
    assert handled, "the event consumer failed (see the log above)"
    return handled[0]


@dataclass(frozen=True)
class MediaFiles:
    video: str
    poster: str
    images: list[str]


def _stored(name: str, render: Callable[[], bytes]) -> str:
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(render()))
    return name


@pytest.fixture(scope="package")
def media_files() -> MediaFiles:
    """A short video, its poster and a few images, rendered on first use and kept in storage."""
    palettes = list(render.PALETTES)
    video = _stored(
        f"{MEDIA_DIR}/clip-v1.mp4",
        lambda: render.video_render(
            title="Glow in 2 s", palette=palettes[0], seed=1, width=240, height=426, duration_ms=2000
        ),
    )
    poster = _stored(
        f"{MEDIA_DIR}/clip-v1.jpg", lambda: media.video_poster(video=default_storage.open(video).read(), at_ms=500)
    )
    images = [
        _stored(
            f"{MEDIA_DIR}/image-{n}-v1.jpg",
            lambda n=n: render.image_render(
                title=f"Look {n}", palette=palettes[n % len(palettes)], seed=n, shape="bottle", width=360, height=640
            ),
        )
        for n in range(4)
    ]
    return MediaFiles(video=video, poster=poster, images=images)


@dataclass
class Shop:
    items: list[ContentItem]
    products: list[Product]
    beauty: Tag

    def item_ids(self) -> set[int]:
        return {item.pk for item in self.items}


@pytest.fixture
def shop(media_files) -> Callable[..., Shop]:
    """``shop(n)``: n published posts (the newest a video) by 3 creators, each showing one product in
    stock; every third post is tagged with the top-level category Beauty."""

    def make(n: int = 6) -> Shop:
        beauty = TagFactory(slug="cat-beauty", name="Beauty", kind=Tag.Kind.CATEGORY)
        topic = TagFactory(slug="grwm", name="GRWM", kind=Tag.Kind.TOPIC)
        creators = [CreatorFactory(verified=index == 0) for index in range(3)]
        products = [ProductFactory(title=f"Glow serum {index}", stock=5) for index in range(n)]
        now = timezone.now()
        items = []
        for index in range(n):
            is_video = index == 0
            items.append(
                ContentItemFactory(
                    kind=ContentItem.Kind.VIDEO if is_video else ContentItem.Kind.IMAGE,
                    creator=creators[index % len(creators)],
                    caption=f"Look {index}: my everyday glow routine #grwm",
                    media=media_files.video if is_video else media_files.images[index % len(media_files.images)],
                    poster=media_files.poster if is_video else "",
                    media_width=240 if is_video else 360,
                    media_height=426 if is_video else 640,
                    duration_ms=2000 if is_video else None,
                    published_at=now - timedelta(minutes=index),
                    products=[products[index]],
                    tags=[beauty, topic] if index % 3 == 2 else [topic],
                )
            )
        return Shop(items=items, products=products, beauty=beauty)

    return make


def open_feed(page: Any, *, picks: tuple[str, ...] = (), consent: str | None = "granted", path: str = "/") -> None:
    """First visit: onboarding (pick ``picks``, or skip), then the feed with its first cards drawn;
    ``consent`` "granted" / "refused" answers the banner (None leaves it open)."""
    page.goto(path)
    page.wait_for_url("**/welcome?next=/")
    for name in picks:
        page.locator(".chip", has_text=name).click()
    page.get_by_role("button", name="Show me my feed" if picks else "Skip for now").click()
    page.wait_for_selector("article.card[data-id]")
    if consent is not None:
        page.locator(f'[data-consent="{consent}"]').click()
        page.wait_for_selector("#consent", state="hidden")


def shopper_of(page: Any) -> Shopper:
    """The shopper behind the page's visitor cookie (whatever stray rows other tests left)."""
    signed = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == settings.VISITOR_COOKIE)
    visitor = Shopper.objects.select_related("merged_into").get(
        visitor_id=uuid.UUID(signing.Signer(salt=VISITOR_SALT).unsign(signed))
    )
    return visitor.merged_into or visitor


def card_ids(page: Any) -> list[int]:
    return page.eval_on_selector_all("article.card[data-id]", "cards => cards.map(card => Number(card.dataset.id))")


CARD_IN_VIEW = """() => {
    const top = document.getElementById("feed").getBoundingClientRect().top;
    const card = [...document.querySelectorAll("article.card[data-id]")]
        .find(el => Math.abs(el.getBoundingClientRect().top - top) < 2);
    return card ? Number(card.dataset.id) : null;
}"""


def card_in_view(page: Any) -> int | None:
    """The id of the card snapped at the top of the feed."""
    return page.evaluate(CARD_IN_VIEW)


def wait_for_card(page: Any, card_id: int) -> None:
    """Wait until the (smooth) scroll has snapped card ``card_id`` at the top of the feed."""
    page.wait_for_function(f"id => ({CARD_IN_VIEW})() === id", arg=card_id)


def deliver_events(page: Any) -> None:
    """Make the page's tracker send what it holds now, and wait until the server has it."""
    page.evaluate("() => window.feedsite.tracker.flush()")
    page.wait_for_function("() => window.feedsite.tracker.pending().length === 0")


def sign_in(page: Any, user: Any, *, next_path: str, consent: str = "granted") -> None:
    """Sign in through the form, land on ``next_path`` and answer the consent sheet there with
    ``consent`` (``granted`` or ``refused``) if it shows."""
    page.goto(f"/signin?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")
    if page.locator("#consent").is_visible():
        page.locator(f'[data-consent="{consent}"]').click()
        page.wait_for_selector("#consent", state="hidden")
