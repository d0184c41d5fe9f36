"""Creators' appeals against a moderator's rejection or removal, and what the studio shows of moderation.

Public: ``services.appeal_create`` (a creator's one appeal per item: a case for a different
moderator), ``selectors`` (the decision an item is in its state by, whether it may be appealed,
and the answers to the studio's signals), the API (``urls``: ``POST /api/v1/studio/items/<id>/appeal``)
and the studio's appeal page (``web_urls``: ``/studio/posts/<id>/appeal``). Deciding an appeal is
the queue's (``moderation.queue``).
"""
