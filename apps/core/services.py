"""Helpers every app's services use."""

from typing import Any, TypeVar

from django.db import connection, models

from apps.core.timeutils import now_ms

_ModelT = TypeVar("_ModelT", bound=models.Model)


def model_update(
    *, instance: _ModelT, fields: list[str], data: dict[str, Any], touch: bool = True
) -> tuple[_ModelT, bool]:
    """Set `fields` from `data` on `instance` and save only what changed.

    Returns the instance and whether anything changed. Saving with `update_fields`
    keeps concurrent writes to other columns intact.
    """
    changed = [f for f in fields if f in data and getattr(instance, f) != data[f]]
    for field in changed:
        setattr(instance, field, data[field])
    if changed:
        if touch and hasattr(instance, "update_at"):
            instance.update_at = now_ms()
            changed.append("update_at")
        instance.save(update_fields=changed)
    return instance, bool(changed)


def lock_for_transaction(name: str) -> None:
    """Serialize a critical section across processes until the transaction ends.

    PostgreSQL gets a transaction-scoped advisory lock; SQLite already serializes
    writers because transactions start IMMEDIATE.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
