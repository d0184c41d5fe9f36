"""The signed-in shopper's account pages: order history, liked posts, followed creators.

Public: the selectors in ``selectors`` and the views in ``views`` (``/orders``, ``/liked``,
``/following``); an order's own page is the shop's (``/orders/<number>``).
"""
