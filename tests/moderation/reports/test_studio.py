"""The studio shows creators what moderation decided about their posts, and takes their appeal (no script)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from content.models import ContentItem, Creator
from content.services import content_remove
from moderation.models import Appeal, AuditEntry
from tests.factories import ContentItemFactory, CreatorFactory
from tests.moderation.reports.conftest import token_client

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action
Status = ContentItem.Status


@pytest.fixture
def creator() -> Creator:
    return CreatorFactory(handle="glowwithmia", status=Creator.Status.APPROVED)


@pytest.fixture
def browser(creator) -> Client:
    client = Client()
    client.force_login(creator.user)
    return client


def posts_of(page: str) -> dict[int, str]:
    """Each post's row on the studio's page, by item id."""
    rows = re.findall(r'<li class="studio-post" id="post-(\d+)".*?</li>', page, re.S)
    blocks = re.split(r'(?=<li class="studio-post" id="post-)', page)[1:]
    return {int(item_id): block.split("</li>")[0] for item_id, block in zip(rows, blocks, strict=True)}


@pytest.fixture
def posts(creator, decide) -> dict[str, ContentItem]:
    """One post in each state the studio explains: live, rejected, hidden by reports, removed by a
    moderator, appealed, and one the creator deleted."""
    made = {name: ContentItemFactory(creator=creator) for name in ("live", "hidden", "removed", "deleted")}
    made["rejected"] = ContentItemFactory(creator=creator, status=Status.PENDING, published_at=None)
    made["appealed"] = ContentItemFactory(creator=creator)
    decide(made["rejected"], Action.REJECT, reason_code="counterfeit", note="The logo is not the brand's.")
    decide(made["hidden"], Action.AUTO_HIDE, by=None, reason_code="spam", note="3 reports from trusted shoppers.")
    decide(made["removed"], Action.REMOVE, reason_code="offensive", note="Slurs in the caption.")
    decide(made["appealed"], Action.REMOVE, reason_code="copyright", note="Music you do not own.")
    content_remove(item=made["deleted"])
    token_client(creator.user).post(
        f"/api/v1/studio/items/{made['appealed'].pk}/appeal", {"message": "I licensed it."}, format="json"
    )
    return made


def test_the_posts_page_tells_each_decision_and_offers_an_appeal_where_one_may_be_made(browser, posts):
    rows = posts_of(browser.get("/studio/").content.decode())

    assert set(rows) == {posts[name].pk for name in ("live", "rejected", "hidden", "removed", "appealed")}
    rejected, removed = rows[posts["rejected"].pk], rows[posts["removed"].pk]
    assert '<strong data-reason-code="counterfeit">Counterfeit</strong>' in rejected
    assert "<span data-reason-note>The logo is not the brand&#x27;s.</span>" in rejected
    assert f'href="/studio/posts/{posts["rejected"].pk}/appeal" data-appeal-link' in rejected
    assert '<strong data-reason-code="offensive">Offensive</strong>' in removed
    assert f'href="/studio/posts/{posts["removed"].pk}/appeal" data-appeal-link' in removed
    assert "/edit" not in removed
    assert "/delete" not in removed
    hidden = rows[posts["hidden"].pk]
    assert '<strong data-reason-code="spam">Spam</strong>' in hidden
    assert "data-appeal-link" not in hidden
    appealed = rows[posts["appealed"].pk]
    assert 'data-appeal="open"' in appealed
    assert "data-appeal-link" not in appealed
    live = rows[posts["live"].pk]
    assert "Live in the feed." in live
    assert "data-appeal" not in live


def test_the_studio_api_answers_each_posts_decision_and_appeal(creator, posts):
    items = {i["id"]: i for i in token_client(creator.user).get("/api/v1/studio/items").json()["items"]}

    assert set(items) == {posts[name].pk for name in ("live", "rejected", "hidden", "removed", "appealed")}
    live, rejected, hidden = items[posts["live"].pk], items[posts["rejected"].pk], items[posts["hidden"].pk]
    assert (live["decision"], live["appeal"], live["can_appeal"]) == (None, None, False)
    assert rejected["status"] == "rejected"
    assert rejected["reason"] == "Counterfeit: The logo is not the brand's."
    assert {k: v for k, v in rejected["decision"].items() if k != "at"} == {
        "reason_code": "counterfeit",
        "reason_label": "Counterfeit",
        "note": "The logo is not the brand's.",
    }
    assert (rejected["appeal"], rejected["can_appeal"]) == (None, True)
    assert (hidden["status"], hidden["decision"]["reason_code"], hidden["can_appeal"]) == ("hidden", "spam", False)
    assert items[posts["removed"].pk]["can_appeal"] is True
    appealed = items[posts["appealed"].pk]
    stored = Appeal.objects.get()
    assert appealed["appeal"] == {"status": "open", "at": stored.at.isoformat(), "response": ""}
    assert appealed["can_appeal"] is False
    one = token_client(creator.user).get(f"/api/v1/studio/items/{posts['removed'].pk}").json()
    assert (one["status"], one["can_appeal"]) == ("removed", True)
    assert token_client(creator.user).get(f"/api/v1/studio/items/{posts['deleted'].pk}").status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/studio/items", "/studio/"])
def test_the_studio_asks_the_same_number_of_queries_for_more_decided_posts(creator, browser, decide, url):
    api = token_client(creator.user)
    client = api if url.startswith("/api/") else browser

    def decided(n: int) -> int:
        for _ in range(n):
            decide(ContentItemFactory(creator=creator), Action.REMOVE)
            item = ContentItemFactory(creator=creator)
            decide(item, Action.REMOVE)
            api.post(f"/api/v1/studio/items/{item.pk}/appeal", {"message": "Look again"}, format="json")
        client.get(url)  # per-process caches warm (the session's first read, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert decided(1) == decided(4)


def test_a_creator_appeals_from_the_studio_without_script(browser, posts):
    item = posts["removed"]

    form = browser.get(f"/studio/posts/{item.pk}/appeal").content.decode()
    sent = browser.post(f"/studio/posts/{item.pk}/appeal", {"message": "  It is satire, read the caption.  "})

    assert '<strong data-reason-code="offensive">Offensive</strong>' in form
    assert '<textarea name="message"' in form
    assert (sent.status_code, sent["Location"]) == (302, f"/studio/#post-{item.pk}")
    stored = Appeal.objects.get(item=item)
    assert (stored.message, stored.status) == ("It is satire, read the caption.", "open")
    after = browser.get("/studio/").content.decode()
    assert "Appeal sent: a different moderator will review your post." in after
    assert 'data-appeal="open"' in posts_of(after)[item.pk]


def test_a_blank_appeal_shows_on_the_form_and_stores_nothing(browser, posts):
    item = posts["rejected"]

    response = browser.post(f"/studio/posts/{item.pk}/appeal", {"message": "   "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    item.refresh_from_db()
    assert (item.appealed_at, Appeal.objects.filter(item=item).exists()) == (None, False)


@pytest.mark.parametrize(("name", "status"), [("live", 302), ("hidden", 302), ("appealed", 302), ("deleted", 404)])
def test_the_appeal_page_is_only_for_an_appealable_post(browser, posts, name, status):
    item = posts[name]
    before = Appeal.objects.count()

    response = browser.get(f"/studio/posts/{item.pk}/appeal")
    posted = browser.post(f"/studio/posts/{item.pk}/appeal", {"message": "Please"})

    assert (response.status_code, posted.status_code) == (status, status)
    if status == 302:
        assert response["Location"] == f"/studio/#post-{item.pk}"
    assert Appeal.objects.count() == before


def test_another_creators_post_has_no_appeal_page(browser, decide):
    theirs = ContentItemFactory(creator=CreatorFactory())
    decide(theirs, Action.REMOVE)

    response = browser.post(f"/studio/posts/{theirs.pk}/appeal", {"message": "Please"})

    assert response.status_code == 404
    assert not Appeal.objects.exists()
