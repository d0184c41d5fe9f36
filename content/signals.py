"""Signals of the content app, sent explicitly by its services and selectors (never model signals).

The apps above content (profiles, ranking, moderation) connect their receivers in their
``AppConfig.ready()``; content never imports them.

``content_published(sender=ContentItem, item_id)``: sent by ``services.content_publish`` once the
transaction that published the item commits. Receivers' errors are logged (``send_robust``).

``content_submitted(sender=ContentItem, item_id)``: sent once the transaction that moved an item
to ``pending_review`` commits (``services.content_transition``): moderation screens it and
publishes, holds or rejects it. Receivers' errors are logged (``send_robust``).

``content_withdrawn(sender=ContentItem, item_id, status)``: sent once the transaction that took a
published item out of the feed (``status``: ``hidden`` or ``removed``) commits: ranking drops it
from precomputed lists and open pages. Receivers' errors are logged (``send_robust``).

``product_changed(sender=Product, product_id, old_price, old_stock, old_active)``: sent once the
transaction that changed a product's price, stock or ``active`` commits (``services.product_upsert``
from admin and the catalog sync, checkout taking stock); not sent when none changed. Receivers'
errors are logged (``send_robust``).

``tag_merged(sender=Tag, source_id, source_slug, target_id, target_slug)``: sent by
``tagging.tag_merge`` inside its transaction, after the items were re-tagged and before the source
tag is deleted: receivers re-point what of theirs refers to the source (it cascades away
otherwise). Not robust: a receiver's error undoes the merge.

``servable_conditions(sender=ContentItem)``: sent by ``selectors.published()`` on every call; each
receiver returns a filter on ``ContentItem`` (a ``Q`` or a boolean expression) that a published
item must also pass to be served (moderation: the creator's standing). A condition must add no
query of its own (a join or a subquery of the same query): the feed path has a tested query count.

``creator_servable_conditions(sender=Creator)``: sent by ``selectors.creators_servable()``; each
receiver returns a filter on ``Creator`` that an approved creator must also pass for their page to
be shown (moderation: the same standing rule as ``servable_conditions``). Same rule: no query of
its own.

``comment_submitted(sender=Comment, body, author_id, content_id)``: sent by
``comment_checks.comment_verdict`` before a comment is stored, after content's own checks (the ids
are None when the caller has none); each receiver returns a ``comment_checks.Verdict`` or ``None``
(nothing to say), and the verdicts combine as that module says.

``comment_created(sender=Comment, comment_id)``: sent by ``services.comment_create`` inside its
transaction once the comment is stored (visible or hidden): moderation records its screening and
opens a case for a hidden one. Not robust: a receiver's error undoes the comment.

``profile_submitted(sender=Creator, creator_id, display_name, bio, user_id)``: sent by
``comment_checks.profile_verdict`` before a creator's application or profile change is stored
(``creator_id`` None for a first application); answered like ``comment_submitted``: a ``refuse``
stores nothing, a ``hide`` stores it for a moderator to look at.

``profile_saved(sender=Creator, creator_id)``: sent by the studio's ``creator_apply`` and
``creator_update`` inside their transaction once the profile is stored: moderation records its
screening and opens a case for a held one. Not robust: a receiver's error undoes the change.

``studio_removed_listed(sender=ContentItem)``: sent by ``studio.selectors`` whenever it lists a
creator's own posts; each receiver returns a filter on ``ContentItem`` (a ``Q`` or a boolean
expression) that a removed item must pass to be listed (moderation: removed by a moderator's
decision, which the creator is told about and may appeal). Without receivers no removed item is
listed, and a post the creator deleted never is. Like ``servable_conditions``, a condition must
add no query of its own.

``studio_item_states(sender=ContentItem, items)``: sent by ``studio.selectors.studio_states`` once
per page of a creator's posts (``items``, the page's ``ContentItem`` rows); each receiver returns
``{item_id: {key: value}}`` (moderation: ``decision``, ``appeal``, ``can_appeal``, ``appeal_url``),
merged per item in connection order. A receiver asks a fixed number of queries, whatever the
number of items: the studio's pages have a bounded query count.
"""

from django.dispatch import Signal

content_published = Signal()
content_submitted = Signal()
content_withdrawn = Signal()
product_changed = Signal()
tag_merged = Signal()
# Cached receivers: sent several times per feed page.
servable_conditions = Signal(use_caching=True)
comment_submitted = Signal(use_caching=True)
creator_servable_conditions = Signal(use_caching=True)
studio_removed_listed = Signal()
studio_item_states = Signal()
comment_created = Signal()
profile_submitted = Signal()
profile_saved = Signal()
