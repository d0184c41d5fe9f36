"""The feed's KPI dashboard (app label ``kpis``): the whole feed per UTC day, in the admin.

- ``figures``: what each KPI counts, computed per day from events, served pages, orders and items;
- ``models.KpiDay``: the daily rollup the dashboard reads;
- ``services``: counting days into the rollup (``kpi_days_rollup``), and which days are due
  (``kpi_days_refresh``, ``kpi_recent_refresh``: the beat task's);
- ``selectors.kpi_dashboard``: a period's days, totals, rates and the period before;
- ``page``: the page's headline, table cells and chart data; ``admin``: the page itself
  (``/admin/kpis/kpiday/``).

``docs/experiments/kpis.md`` is the guide for marketers and operators.
"""
