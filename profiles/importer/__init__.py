"""Importing a dataset folder (``shared/data/FORMAT.md``) of items and events.

Public: ``services.dataset_import`` (the service, behind ``manage.py import_dataset``) and, in
``report``, ``ImportReport``, ``SkipReason``, ``DatasetError`` and the ``Progress`` protocol.
Inside: ``reading`` validates both files (single values in ``values``), ``writing`` writes them in
one transaction through the per-backend staging tables of ``staging``.
"""
