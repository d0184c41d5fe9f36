"""Names for hand-written SQL, taken from the models so that a renamed table or column cannot be missed.

``Table(Product)`` reads as the table's name in an f-string, and its attributes are the columns:
``f"UPDATE {p} SET {p.stock} = 0"`` with ``p = Table(Product)``. A foreign key answers by its
field name and its attribute name (``p.brand`` and ``p.brand_id`` are both ``brand_id``).
"""

from __future__ import annotations

from django.db.models import Model


class Table:
    def __init__(self, model: type[Model]) -> None:
        self.name = model._meta.db_table
        self._columns: dict[str, str] = {}
        for field in model._meta.concrete_fields:
            self._columns[field.name] = self._columns[field.attname] = field.column

    def __getattr__(self, field: str) -> str:
        try:
            return self.__dict__["_columns"][field]
        except KeyError:
            raise AttributeError(f"{self.name} has no column for {field!r}") from None

    def __str__(self) -> str:
        return self.name

    def __format__(self, spec: str) -> str:
        return format(self.name, spec)
