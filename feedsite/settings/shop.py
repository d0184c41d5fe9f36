"""Shopping in the feed and its community: cart limits, comment moderation, messages to shoppers."""

from feedsite.settings.django import CONFIG

# A line of more than this is a reseller, not a shopper; also bounds a typo like "100".
CART_LINE_MAX_QUANTITY = 10
# Lines per cart: a drawer of 30 products is already a lot to scroll.
CART_MAX_LINES = 30

# Limits of content's own comment checks (``content.comment_checks``).
COMMENT_MIN_LENGTH = 1
# About three lines in the sheet on a phone; longer is an essay, or spam.
COMMENT_MAX_LENGTH = 500
# Banned words and links are moderation rules (moderation.checks), edited in admin.

# Messages to shoppers (profiles.messages): email through Django's framework, links to SITE_URL.
EMAIL_BACKEND = CONFIG.email["EMAIL_BACKEND"]
EMAIL_HOST = CONFIG.email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = CONFIG.email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = CONFIG.email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = CONFIG.email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = CONFIG.email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = CONFIG.email.get("EMAIL_USE_SSL", False)
# A mail server that does not answer must not hold a Celery worker for minutes.
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = CONFIG.default_from_email
SERVER_EMAIL = CONFIG.default_from_email
SITE_URL = CONFIG.site_url
# A cart untouched this long, with no order since, gets one reminder (the scan runs every 15 minutes).
MESSAGES_ABANDONED_CART_HOURS = CONFIG.messages_abandoned_cart_hours
