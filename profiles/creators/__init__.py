"""Creator pages (``/@<handle>``): a creator's profile, follower count, follow button and posts.

Public: ``selectors.creator_page`` and the view ``views.creator``.
"""
