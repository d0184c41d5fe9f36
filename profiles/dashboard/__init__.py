"""The creator dashboard of the studio: an approved creator's own figures (``profiles.events.creator_stats``)
as a page (``/studio/dashboard``), a CSV file (``/studio/dashboard.csv``) and JSON
(``GET /api/v1/studio/stats?days=N``).

- ``access.dashboard_creator``: the approved creator a user may see the figures of;
- ``payload.stats_payload``: the figures as JSON-safe data (the API's answer and the page's charts);
- ``export.stats_csv``: one CSV row per item.
"""
