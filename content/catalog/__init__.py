"""Catalog sync for merchants: products created and updated by SKU over a token-authenticated API.

Public: ``services.catalog_product_put`` and ``services.catalog_products_bulk`` (the writes, through
``content.services.product_upsert``), ``services.merchant_token_issue``, ``selectors.merchant_brands``
and ``selectors.merchant_product`` (the reads); ``apis`` and ``urls`` serve them under
``/api/v1/catalog/`` (docs/catalog.md).
"""
