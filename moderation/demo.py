"""A moderator's morning on the demo shop: ``python manage.py seed_moderation_demo``.

Run after ``seed_demo`` (``make run`` does): it uses the demo's creators, shoppers and posts and
goes through the same services a real day would, so the queue shows real cases:

- posts and a comment submitted with the kind of text the automatic checks hold (off-shop
  payment, shouting, links) — screened like any submission;
- a post reported as counterfeit by enough trusted shoppers to be hidden until reviewed, and
  one reported once;
- a post a moderator rejected, appealed by its creator (the appeal waits for another moderator);
- the accounts ``moderator`` and ``marketer`` (password ``DEMO_STAFF_PASSWORD``), outside
  production only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from content import services as content_services
from content.models import ContentItem, Creator
from feedsite.errors import ApplicationError
from feedsite.roles import Role, role_join
from moderation.appeals.services import appeal_create
from moderation.checks.screening import item_screen
from moderation.models import AuditEntry, Case
from moderation.queue.decisions import item_reject
from moderation.reports.services import report_create
from profiles.models import Shopper

DEMO_STAFF_PASSWORD = "demo-staff"
MODERATOR_USERNAME = "moderator"
MARKETER_USERNAME = "marketer"
# What the held posts and comment say: each trips a default rule (moderation/migrations/0003).
HELD_CAPTIONS = (
    "DM me on WhatsApp for 70% off, wire transfer only, ships today",
    "BEST DEAL EVER ON THESE SNEAKERS BUY NOW BEFORE THEY ARE GONE",
    "Same bag, half the price: www.cheap-bags.xyz and www.bag-outlet.top",
)
CONTESTED_CAPTION = "New drop! Wire transfer gets you 10% off, ask me how"
HELD_COMMENT = "Get them cheaper at www.deals-now.xyz and www.outlet-shop.top"


@dataclass
class DemoModeration:
    staff_created: list[str] = field(default_factory=list)
    submitted: int = 0
    reported: int = 0
    hidden: int = 0
    appealed: int = 0

    @property
    def open_cases(self) -> int:
        return Case.objects.filter(status=Case.Status.OPEN).count()


def moderation_demo_present() -> bool:
    return AuditEntry.objects.filter(actor__username=MODERATOR_USERNAME).exists()


def _staff(username: str, role: Role) -> tuple[User, bool]:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com", "is_staff": True}
    )
    if created:
        user.set_password(DEMO_STAFF_PASSWORD)
        user.save(update_fields=["password"])
    role_join(user=user, role=role)
    return user, created


def seed_moderation_demo(*, if_empty: bool = False) -> DemoModeration | None:
    """Give the demo's moderators a queue; None when ``if_empty`` and it was done before. Refuses
    (``ApplicationError``) in production or without the demo shop."""
    if settings.PRODUCTION:
        raise ApplicationError("No demo staff accounts in production.", code="production")
    if if_empty and moderation_demo_present():
        return None
    creators = list(Creator.objects.filter(items__status=ContentItem.Status.PUBLISHED).distinct().order_by("pk")[:6])
    shoppers = list(Shopper.objects.filter(user__isnull=False, user__username__startswith="shopper").order_by("pk")[:6])
    if len(creators) < 4 or len(shoppers) < 4:
        raise ApplicationError("Seed the demo shop first (manage.py seed_demo).", code="no_demo")
    done = DemoModeration()
    moderator, created = _staff(MODERATOR_USERNAME, Role.MODERATORS)
    done.staff_created += [MODERATOR_USERNAME] if created else []
    _, created = _staff(MARKETER_USERNAME, Role.MARKETERS)
    done.staff_created += [MARKETER_USERNAME] if created else []

    published = [_latest_published(creator) for creator in creators]
    # Submissions the checks hold: new posts reusing a demo post's media, and a comment.
    for creator, template, caption in zip(creators, published, HELD_CAPTIONS, strict=False):
        _submit(creator=creator, template=template, caption=caption)
        done.submitted += 1
    commenter = shoppers[0].user
    assert commenter is not None
    try:
        content_services.comment_create(content=published[1], author=commenter, body=HELD_COMMENT)
        done.submitted += 1
    except ApplicationError:
        pass  # a rule edited to refuse it: nothing to review
    with transaction.atomic():
        # Enough trusted shoppers call one post counterfeit to hide it; another is reported once.
        hidden_target, reported_target = published[3], published[4 % len(published)]
        for shopper in shoppers[: settings.MODERATION_AUTO_HIDE_REPORTS]:
            report_create(shopper=shopper, item=hidden_target, reason="counterfeit", note="The logo is wrong.")
            done.reported += 1
        report_create(shopper=shoppers[-1], item=reported_target, reason="misleading", note="Not the same colour.")
        done.reported += 1
    hidden_target.refresh_from_db()
    done.hidden += hidden_target.status == ContentItem.Status.HIDDEN
    # A held post a moderator rejected; its creator appeals, and the appeal waits for another moderator.
    template = published[5 % len(published)]
    assert template.creator is not None  # published via _latest_published of a creator
    rejected = _submit(creator=template.creator, template=template, caption=CONTESTED_CAPTION)
    if rejected.status == ContentItem.Status.PENDING:
        item_reject(item=rejected, by=moderator, reason_code="spam", note="Payment outside the shop.")
        appeal_create(
            creator=rejected.creator,  # type: ignore[arg-type]
            item=rejected,
            message="It's my own shop's bank transfer option, not a scam.",
        )
        done.appealed += 1
    return done


def _latest_published(creator: Creator) -> ContentItem:
    return creator.items.filter(status=ContentItem.Status.PUBLISHED).order_by("-published_at", "-pk").first()  # type: ignore[return-value]


def _submit(*, creator: Creator, template: ContentItem, caption: str) -> ContentItem:
    """A post by ``creator`` with ``template``'s media, sent to review (and so to the checks)."""
    item = content_services.content_create(
        kind=template.kind,
        creator=creator,
        caption=caption,
        products=list(template.products.all()[:1]),
        media_name=template.media.name,
        poster_name=template.poster.name,
        media_width=template.media_width,
        media_height=template.media_height,
        duration_ms=template.duration_ms,
    )
    content_services.content_submit(item=item)
    # Screened now rather than by a worker that may not be running (idempotent: a worker that
    # gets the queued task too finds it screened).
    item_screen(item_id=item.pk)
    item.refresh_from_db()
    return item
