"""Abstract building blocks shared by the domain models. No tables live here."""

from collections.abc import Sequence
from typing import Any

from django.db import models

from apps.core.ids import ID_LENGTH, new_id
from apps.core.timeutils import now_ms


class IdField(models.CharField):
    """A 26-character Mattermost id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", ID_LENGTH)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == ID_LENGTH:
            del kwargs["max_length"]
        return name, path, args, kwargs


class TimestampedModel(models.Model):
    """A row with a Mattermost id and millisecond create/update times."""

    id = IdField(primary_key=True, default=new_id, editable=False)
    create_at = models.BigIntegerField(default=now_ms, editable=False)
    update_at = models.BigIntegerField(default=now_ms)

    class Meta:
        abstract = True


class SoftDeleteModel(TimestampedModel):
    """Deletion sets `delete_at` (ms); retention jobs do the hard delete later."""

    delete_at = models.BigIntegerField(default=0, db_index=True)

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.delete_at != 0
