"""Messages beyond the feed: abandoned cart, back in stock, price drop (``docs/messages.md``).

Public: ``models`` (``Message``, ``MessagePreference``), ``services`` (every write: create, email,
read, open, click, preferences), ``selectors`` (inbox reads, what a shopper may receive),
``triggers`` (what makes messages: the cart scan, restocks, price drops), ``tokens`` (signed
unsubscribe and tracking tokens), ``tasks`` (the Celery tasks).
"""
