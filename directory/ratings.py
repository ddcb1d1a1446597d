"""Where directory reads a practitioner's rating: a table owned by an app above it.

Ratings come from moderated reviews, so the reviews app keeps them, in its own table
(one row per rated practitioner). Directory must not import reviews, yet its search
filters and orders by rating in one statement and its public profile shows it: the
owning app registers its table here when it starts (`AppConfig.ready`), and
`directory.sql` joins it by the names taken from the model's `_meta`. Without a
registered source every practitioner is unrated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class RatingSource:
    """A model with one row per rated practitioner: its average and its number of ratings."""

    model: type[models.Model]
    practitioner_field: str
    average_field: str
    count_field: str

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def column(self, field_name: str) -> str:
        return self.model._meta.get_field(field_name).column

    @property
    def practitioner_column(self) -> str:
        return self.column(self.practitioner_field)

    @property
    def average_column(self) -> str:
        return self.column(self.average_field)

    @property
    def count_column(self) -> str:
        return self.column(self.count_field)

    @property
    def average(self) -> models.Field:
        return self.model._meta.get_field(self.average_field)


_source: RatingSource | None = None


def register_rating_source(
    *, model: type[models.Model], practitioner: str, average: str, count: str
) -> None:
    """Declare `model` the practitioners' ratings (once, from the owning app's `ready()`)."""
    global _source
    source = RatingSource(model, practitioner, average, count)
    if _source is not None and _source != source:
        raise RuntimeError(f"A rating source is registered already: {_source.model.__name__}.")
    for name in (practitioner, average, count):
        model._meta.get_field(name)  # FieldDoesNotExist now, not at the first search
    _source = source


def rating_source() -> RatingSource | None:
    return _source
