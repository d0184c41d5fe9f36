"""Serving a feed page: pick the cards, log what was served, hand back a cursor.

    cursor → served so far → ordering (``_ordered_candidates``) → cards → served-list log

The ordering is the replaceable part; the plumbing around it (cursor, served set, log, card
shape) is what every ordering relies on.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, zip_longest
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef

from content import selectors as content_selectors
from content.models import ContentItem, Tag
from feedsite import caches
from profiles.events.selectors import CardSocial, cards_social, cold_start_interest_tag_ids, seen_content_ids
from profiles.models import Shopper
from ranking import pacing, served, serving, signals
from ranking.cards import card, card_bodies, card_from_body
from ranking.cursor import Cursor
from ranking.intent import INTENT_ITEMS, intent_items, intent_of
from ranking.models import FeedRequest
from ranking.policy import policy_for, promoted
from ranking.timed_cache import TimedCache
from ranking.treated import rank_treated
from ranking.treatment import treatment_for

# What a shopper reads under "why am I seeing this", by the source that proposed the card.
REASONS = {
    "popular": "Popular right now",
    "fresh": "New in the shop",
    "interest": "Matches the interests you picked",
    "trending": "Trending with shoppers like you",
    "collaborative": "Because of what you liked",
    "affinity": "Popular in a category you like",
    "followed": "New from a creator you follow",
    "similar": "Like what you've been watching",
    "search": "Matches what you searched for",
}


# Rankings take turns within a process: run side by side, their threads hand the GIL back and
# forth around every numpy operation. The database and Redis waits of the requests around a
# ranking still overlap it.
_ranking_turn = threading.Lock()

# Category tags' roots change when a merchant edits the taxonomy: re-read at most this often.
CATEGORY_ROOTS_SECONDS = 300.0
_roots: TimedCache[str, dict[str, str]] = TimedCache(seconds=CATEGORY_ROOTS_SECONDS, max_size=1)
caches.register("ranking.feed", _roots.forget)


def _root_names() -> dict[str, str]:
    """Category tag slug → the name of its root category (one query every ``CATEGORY_ROOTS_SECONDS``)."""
    return _roots.get_many(["roots"], lambda _: {"roots": content_selectors.category_root_names()})["roots"]


# How much of an item's caption names it in "Because you liked …".
NAME_CHARS = 40


def short_name(body: Mapping[str, Any]) -> str | None:
    """A few words that name an item for a shopper: its product's title, else its caption's first
    line (cut at a word, with an ellipsis, past ``NAME_CHARS``); ``None`` when it has neither."""
    if body["products"]:
        return str(body["products"][0]["title"])
    line = next((line.strip() for line in str(body["caption"]).splitlines() if line.strip()), "")
    if len(line) > NAME_CHARS:
        line = line[:NAME_CHARS].rsplit(" ", 1)[0].rstrip(" ,.;:-") + "…"
    return line or None


def reason_text(
    code: str,
    body: Mapping[str, Any],
    roots: Mapping[str, str] | None = None,
    because: Mapping[str, Any] | None = None,
    liked: bool = True,
) -> str:
    """What a shopper reads under "why am I seeing this": the source's reason, in the card's own
    terms where it has them ("Trending in Beauty", "New from @ana, whom you follow", "Because you
    liked Vitamin C serum").

    ``roots``: category slug → root name (``_root_names``), read once for a page by the caller.
    ``because``: for a collaborative card, the body of the item of the shopper's history that
    proposed it (``serving.Ranked.because``), which they ``liked`` (engaged with) or only viewed.
    """
    if code == "collaborative" and because is not None and (name := short_name(because)):
        return f"Because you {'liked' if liked else 'viewed'} {name}"
    roots = _root_names() if roots is None else roots
    category = next(
        (roots[t["slug"]] for t in body["tags"] if t["kind"] == Tag.Kind.CATEGORY and t["slug"] in roots), None
    )
    creator = body.get("creator")
    if category and code == "trending":
        return f"Trending in {category}"
    if category and code == "popular":
        return f"Popular in {category} right now"
    if category and code == "affinity":
        return f"Because you like {category}"
    if creator and code == "followed":
        return f"New from @{creator['handle']}, whom you follow"
    return REASONS[code]


@dataclass(frozen=True)
class FeedPage:
    request_id: uuid.UUID
    cards: list[dict[str, Any]]
    next_cursor: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"request_id": str(self.request_id), "next_cursor": self.next_cursor, "cards": self.cards}


def _ordered_candidates(*, shopper: Shopper, exclude: set[int], limit: int) -> list[tuple[int, str]]:
    """The fallback when the ranker has nothing (no model, a failed ranking, a page past its
    candidates): popular and fresh published items, interleaved, none of ``exclude``; at most
    ``limit``. A shopper who picked interests at onboarding and has no history yet gets the most
    engaging items tagged with those interests first. Like the ranked candidates, none whose
    products are all sold out.
    """
    base = content_selectors.published().filter(content_selectors.buyable()).exclude(pk__in=exclude)
    # What the shopper just searched for comes first (ranking.intent).
    picked: dict[int, str] = dict.fromkeys(
        intent_items(intent_of(shopper), base, limit=min(limit, INTENT_ITEMS)), "search"
    )
    interest_tags = cold_start_interest_tag_ids(shopper=shopper)
    if interest_tags:
        tagged = base.filter(
            Exists(ContentItem.tags.through.objects.filter(contentitem_id=OuterRef("pk"), tag_id__in=interest_tags))
        )
        for interesting in tagged.order_by("-engagement", "-published_at", "-id").values_list("pk", flat=True)[:limit]:
            picked.setdefault(interesting, "interest")
    popular = base.order_by("-engagement", "-published_at", "-id").values_list("pk", flat=True)[:limit]
    fresh = base.order_by("-published_at", "-id").values_list("pk", flat=True)[:limit]
    for pk, reason in chain.from_iterable(
        zip_longest(((p, "popular") for p in popular), ((f, "fresh") for f in fresh), fillvalue=(None, ""))
    ):
        if pk is not None and pk not in picked:
            picked[pk] = reason
    return list(picked.items())[:limit]


def _named_once(
    order: Sequence[int], because: Mapping[int, serving.Because], body_of: Mapping[int, Mapping[str, Any]]
) -> dict[int, tuple[Mapping[str, Any], bool]]:
    """Card id → (the body of the item its reason names, liked), for the cards in ``order`` whose
    named item is still served and whose name no card above already used: two videos of one
    mascara are one name to a shopper."""
    out: dict[int, tuple[Mapping[str, Any], bool]] = {}
    used: set[str] = set()
    for pk in order:
        anchor = because.get(pk)
        body = body_of.get(anchor.item) if anchor else None
        name = short_name(body) if body else None
        if anchor and body and name and name not in used:
            used.add(name)
            out[pk] = (body, anchor.liked)
    return out


def feed_page(*, shopper: Shopper, limit: int, cursor: Cursor | None, device: str = "unknown") -> FeedPage:
    """The next page of ``shopper``'s feed; never a card already served in this feed session.

    ``device``: the device class the page is asked from (a ranking feature).
    """
    limit = max(1, min(limit, settings.FEED_PAGE_MAX))
    cursor = cursor or Cursor.start()
    exclude = served.served_ids(cursor.feed_session, expect_some=cursor.page > 0)
    treatment = treatment_for(shopper)
    policy = policy_for(treatment.policy)
    with _ranking_turn:
        treated = rank_treated(
            shopper=shopper,
            exclude=exclude,
            size=limit,
            policy=policy,
            first_page=cursor.page == 0,
            device=device,
            treatment=treatment,
            seed=f"{cursor.feed_session}:{cursor.page}",
        )
    page = treated.ranked
    ranked = [(s.candidate.item, s.candidate.source, s.rule) for s in page.slots] if page else []
    if len(ranked) < limit:
        # No trained ranker yet, or its candidates are used up: popular and fresh fill the page.
        # (the ranker excludes what the shopper has seen itself, from the same events)
        taken = exclude | seen_content_ids(shopper=shopper) | {pk for pk, _, _ in ranked}
        fallback = _ordered_candidates(shopper=shopper, exclude=taken, limit=limit - len(ranked))
        ranked += [(pk, source, "fallback") for pk, source in fallback]
    why = {pk: (source, rule) for pk, source, rule in ranked}
    because = {pk: anchor for pk, anchor in page.because.items() if pk in why} if page else {}
    named = [anchor.item for anchor in dict.fromkeys(because.values()) if anchor.item not in why]
    # The social query also tells which cards are still served (an item removed since it was
    # ranked), and which of the items named in "Because you liked …" may still be named.
    social = cards_social(shopper=shopper, item_ids=[*why, *named])
    gone = [pk for pk in why if pk not in social]
    if gone:
        # Withdrawn after this process's snapshot was built (by another process, or a moment ago):
        # other published items take their places, so the page stays full and the feed goes on.
        taken = exclude | seen_content_ids(shopper=shopper) | set(why)
        for pk in gone:
            del why[pk]
        refill = _ordered_candidates(shopper=shopper, exclude=taken, limit=len(gone))
        why.update((pk, (source, "fallback")) for pk, source in refill)
        social.update(cards_social(shopper=shopper, item_ids=[pk for pk, _ in refill]))
    unavailable = {pk: item.products_unavailable for pk, item in social.items()}
    bodies = card_bodies([*why, *named], live=social.keys(), unavailable=unavailable)
    shown = [body for body in bodies if body["id"] in why]
    named_by = (
        _named_once([body["id"] for body in shown], because, {body["id"]: body for body in bodies})
        if treatment.on("because")
        else {}
    )
    roots = _root_names()
    cards = [
        card_from_body(
            body,
            position=position,
            reason={
                "code": why[body["id"]][0],
                "text": reason_text(why[body["id"]][0], body, roots, *named_by.get(body["id"], (None, True))),
                "rule": why[body["id"]][1],
            },
            social=social[body["id"]],
        )
        for position, body in enumerate(shown)
    ]
    items = [c["id"] for c in cards]
    request_id = served.log_page(
        shopper=shopper,
        feed_session=cursor.feed_session,
        page=cursor.page,
        items=items,
        reasons=[c["reason"]["code"] for c in cards],
        variant=treatment.label or policy.name,
        # Feature values as the ranker saw them, aligned with items: training joins on these.
        features=_logged_features(page, items, treated.teams),
    )
    if treatment.labels:
        signals.page_served.send(
            sender=FeedRequest, shopper=shopper, request_id=request_id, treatment=treatment, ranked=treated.shaped
        )
    served.served_add(cursor.feed_session, items)
    if page:
        pacing.spend(promoted([s.candidate for s in page.slots]))
    next_cursor = cursor.next().encode() if len(cards) == limit else None
    return FeedPage(request_id=request_id, cards=cards, next_cursor=next_cursor)


def _logged_features(page: serving.Ranked | None, items: list[int], teams: Mapping[int, str]) -> dict[str, Any]:
    """What the served-list log keeps of the ranking: each card's feature row for training and,
    on an interleaved page, each card's team ("" for a card the fallback added)."""
    if page is None:
        return {}
    logged: dict[str, Any] = {"model": page.version, "rows": [page.features.get(pk) for pk in items]}
    if teams:
        logged["teams"] = [teams.get(pk, "") for pk in items]
    return logged


# Why a live push (ranking.push) chose a fresh item for a shopper.
FRESH_REASONS = {
    "followed": "New from a creator you follow",
    "interest": "New, and close to what you like",
}


def fresh_cards_for(audience: Mapping[int, str], item_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Cards of just-published items for each shopper of a live push, best first (``ranking.push``).

    ``audience`` maps a shopper id to why the push picked them (a key of ``FRESH_REASONS``). The
    one place a live push ranks: whoever replaces the ranking engine replaces this body (for now
    newest first, the same for everyone with the same reason). It takes the whole audience at once
    because a fan-out ranks for 10k shoppers within its 2-second budget (a per-shopper call cost
    ~90 µs); shoppers given equal cards share one list object, so the caller encodes each distinct
    list once. Items no longer published are dropped; 3 queries.
    """
    items = content_selectors.items_for_cards(list(item_ids))
    ranked = sorted(items, key=lambda item: (item.published_at, item.pk), reverse=True)
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for reason in set(audience.values()):
        text = {"code": reason, "text": FRESH_REASONS[reason]}
        # Published seconds ago: nobody has liked or commented yet, so no query for counts.
        social = CardSocial(following=reason == "followed")
        by_reason[reason] = [card(item, position=p, reason=text, social=social) for p, item in enumerate(ranked)]
    return {shopper_id: by_reason[reason] for shopper_id, reason in audience.items()}
