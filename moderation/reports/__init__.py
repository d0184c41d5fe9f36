"""Shoppers' reports of items and comments, and the auto-hide they trigger.

Public: ``services.report_create`` (store a report, raise the target's case, hide the target once
enough trusted shoppers reported it), ``selectors`` (what may be reported, which reports count),
and the API (``urls``: ``POST /api/v1/items/<id>/report``, ``POST /api/v1/comments/<id>/report``).
"""
