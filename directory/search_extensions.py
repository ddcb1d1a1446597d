"""How apps above directory extend the practitioner search without directory knowing them.

An app (bookings: availability) registers a `SearchExtension` from its
`AppConfig.ready()`. The search's FilterSet then accepts the extension's parameters
(validated like directory's own, and in the OpenAPI schema of `/practitioners/`) and
its orderings; after directory's search selected the candidates, each extension may
filter or reorder them (`refine`), and attach values the results show (`details` of
`Candidates.ranked`: the availability search's `next_available`). Directory's one view
serves the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import django_filters


class Candidates(Protocol):
    """What `refine` receives and returns (`directory.selectors.PractitionerSearch` and
    its re-rankings): ordered matches, paged by `core.pagination.paginate`."""

    def count(self) -> int: ...

    def page(self, *, limit: int, offset: int) -> tuple[list, int | None]: ...

    def ids(self, *, limit: int) -> list: ...

    def ranked(self, ids: list, *, details: Mapping[str, Mapping] | None = None) -> Candidates:
        """These of the candidates, in this order; `details` ({attribute: {id: value}}) are
        set on the profiles of the pages read (the result serializer shows the ones it
        declares, e.g. `next_available`)."""
        ...


class SearchExtension:
    """Extra parameters, orderings and a refine step of the practitioner search."""

    #: (value, description) pairs the `ordering` parameter also accepts. Directory's
    #: search orders by its default for them; `refine` applies them.
    orderings: Sequence[tuple[str, str]] = ()

    def filters(self) -> dict[str, django_filters.Filter]:
        """New filters (fresh instances; their `method` may be "filter_noop")."""
        return {}

    def clean(self, data: dict) -> None:
        """Check the parameters together; raise `forms.ValidationError({name: message})`."""

    def refine(self, candidates: Candidates, data: Mapping) -> Candidates:
        """The candidates filtered or reordered; `data` holds every validated parameter."""
        return candidates


_extensions: list[SearchExtension] = []


def register_search_extension(extension: SearchExtension) -> None:
    if any(type(registered) is type(extension) for registered in _extensions):
        return  # ready() may run twice (tests that reload apps)
    _extensions.append(extension)


def search_extensions() -> tuple[SearchExtension, ...]:
    return tuple(_extensions)
