"""Importing a dataset folder (``shared/data/FORMAT.md``) of items and events.

Public: ``dataset_import`` (the service), ``ImportReport``, ``SkipReason``, ``DatasetError`` and
the ``Progress`` protocol. Inside: ``reading`` validates both files (single values in ``values``),
``writing`` writes them in one transaction through the per-backend staging tables of ``staging``.
"""

from profiles.importer.report import DatasetError, ImportReport, Progress, SilentProgress, SkipReason
from profiles.importer.services import dataset_import

__all__ = ["DatasetError", "ImportReport", "Progress", "SilentProgress", "SkipReason", "dataset_import"]
