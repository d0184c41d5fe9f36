"""The creators' studio: applying as a creator, and uploading, scheduling and editing posts.

Public: ``services`` (every write: ``creator_apply``, ``creator_review``, ``studio_item_create``,
``studio_item_update``, ``studio_item_delete``, ``studio_item_retry``), ``selectors`` (the
creator's own items, product and tag search), the HTML pages (``views``, ``web_urls``) and the
JSON API (``apis``, ``urls``) on top of them.
"""
