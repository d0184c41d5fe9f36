"""Shopping in the feed and its community: cart limits and comment moderation."""

# A line of more than this is a reseller, not a shopper; also bounds a typo like "100".
CART_LINE_MAX_QUANTITY = 10
# Lines per cart: a drawer of 30 products is already a lot to scroll.
CART_MAX_LINES = 30

# Limits of content's own comment checks (``content.comment_checks``).
COMMENT_MIN_LENGTH = 1
# About three lines in the sheet on a phone; longer is an essay, or spam.
COMMENT_MAX_LENGTH = 500
# Banned words and links are moderation rules (moderation.checks), edited in admin.
