from __future__ import annotations

import time
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

from content.models import ContentItem, Creator
from profiles.events import writer
from tests.factories import ContentItemFactory, CreatorFactory, ShopperFactory
from tests.profiles.events.conftest import stream_event


@dataclass
class Studio:
    creator: Creator
    video: ContentItem
    image: ContentItem
    rejected: ContentItem
    other: ContentItem


@pytest.fixture
def studio() -> Studio:
    """An approved creator with a 10 s video, an image and a rejected post, and known events from an
    hour ago: the video 3 impressions, 2 views (one watched through), 1 like, 1 cart, 1 purchase;
    the image 1 impression, 1 view, 2 shares, 1 product click. Another creator's post has 4 impressions."""
    creator = CreatorFactory(handle="glowlab")
    video = ContentItemFactory(
        creator=creator, kind=ContentItem.Kind.VIDEO, duration_ms=10_000, caption="Morning glow routine"
    )
    image = ContentItemFactory(creator=creator, caption='=HYPERLINK("http://evil.example","click")')
    rejected = ContentItemFactory(
        creator=creator,
        caption="@everyone look",
        status=ContentItem.Status.REJECTED,
        status_reason="-Shows a weapon",
        published_at=None,
    )
    other = ContentItemFactory(caption="Not yours")
    shopper = ShopperFactory().pk
    hour_ago = time.time() - 3600
    kinds = {
        video.pk: [("impression", {})] * 3
        + [("dwell", {"dwell_ms": 9_500}), ("dwell", {"dwell_ms": 3_000}), ("dwell", {"dwell_ms": 800})]
        + [("like", {}), ("add_to_cart", {"value": 1.0}), ("purchase", {"value": 1.0})],
        image.pk: [
            ("impression", {}),
            ("dwell", {"dwell_ms": 4000}),
            ("share", {}),
            ("share", {}),
            ("product_click", {}),
        ],
        other.pk: [("impression", {})] * 4,
    }
    writer.interactions_write(
        [
            stream_event(shopper, item, kind, hour_ago, **fields)
            for item, events in kinds.items()
            for kind, fields in events
        ]
    )
    return Studio(creator=creator, video=video, image=image, rejected=rejected, other=other)


class RowsParser(HTMLParser):
    """The text of each cell of the rows whose ``<tr>`` has ``data-item``, by item id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, list[str]] = {}
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            item = dict(attrs).get("data-item")
            self._row = self.rows.setdefault(int(item), []) if item else None
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def item_rows(html: str) -> dict[int, list[str]]:
    parser = RowsParser()
    parser.feed(html)
    return parser.rows
