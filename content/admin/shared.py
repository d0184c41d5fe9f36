"""What the admins of content and of the apps above share: annotations, and adopting a service's row."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, FileField, ForeignObjectRel, Model, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_of(model: type[Model], relation: str, **where: Any) -> Coalesce:
    """For ``annotate``: how many rows of ``model``'s reverse ``relation`` (filtered by ``where``) each row has.

    Like ``Count(relation, filter=...)``, but as a correlated subquery, evaluated for the rows of the
    page only; ``Count`` over a JOIN aggregates the whole table before the changelist takes its page,
    and two of them multiply each other's rows.
    """
    rel = model._meta.get_field(relation)
    if not isinstance(rel, ForeignObjectRel):
        raise TypeError(f"{model.__name__}.{relation} is not a reverse relation")
    related_model = rel.related_model
    assert not isinstance(related_model, str)  # resolved once the apps are loaded
    via = rel.field.name
    rows = related_model._default_manager.filter(**{via: OuterRef("pk")}, **where)
    return Coalesce(Subquery(rows.order_by().values(via).annotate(n=Count("pk")).values("n")), 0)


def adopt(obj: Model, stored: Model) -> None:
    """Make the admin's unsaved ``obj`` the row a service has just created.

    The admin goes on with its own instance (many-to-many fields, inlines, the log entry, the
    redirect), so it must carry the stored row's primary key and values.
    """
    obj.pk = stored.pk
    obj.refresh_from_db()
    obj._state.adding = False


def store_upload(obj: Model, field_name: str) -> str:
    """Store a file just uploaded into ``obj.<field_name>`` as ``Model.save`` would; its storage name, or ``""``."""
    field = obj._meta.get_field(field_name)
    assert isinstance(field, FileField)
    return field.pre_save(obj, add=True).name or ""
