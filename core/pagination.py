"""Page-number pagination: `?page=` and `?page_size=` (max 100), DRF's `{count, next,
previous, results}`.

Querysets go through DRF's paginator (`StandardPagination.paginate_queryset`). A source
that reads a page together with its total in one statement (the practitioner search)
implements `PageSource` and is paged by `paginate`; both answer the same way: a
malformed page number is a 400, a page past the end is DRF's 404 "Invalid page".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from django.core.paginator import EmptyPage, Paginator
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

LAST_PAGE_STRINGS = ("last",)

# Pages past this are answered by counting first: their offset would not fit a query.
MAX_DIRECT_PAGE = 1_000_000


@dataclass(frozen=True)
class PageRequest:
    """The page a client asked for, checked only when it is used (after the parameters)."""

    raw_number: str | None
    size: int

    def number(self) -> int | None:
        """The 1-based page number, or None for the last page; a malformed one is a 400."""
        raw = self.raw_number
        if raw is None:
            return 1
        if raw in LAST_PAGE_STRINGS:
            return None
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if not (raw.isascii() and raw.isdigit()):
            raise ValidationError({"page": ["A page number must be a positive integer."]})
        return int(raw)


class PageSource(Protocol):
    """Rows in a fixed order that can be read a page at a time."""

    def count(self) -> int: ...

    def page(self, *, limit: int, offset: int) -> tuple[list, int | None]:
        """The rows of the slice and the total, or None for the total when there is no row."""


@dataclass(frozen=True)
class Page:
    rows: list
    count: int
    number: int
    size: int

    @property
    def num_pages(self) -> int:
        # Django's Paginator: an empty first page still counts as one page.
        return math.ceil(max(1, self.count) / self.size)


def _invalid_page(exc: EmptyPage) -> NotFound:
    # The message of DRF's PageNumberPagination.
    return NotFound(PageNumberPagination.invalid_page_message.format(message=str(exc)))


def paginate(source: PageSource, request: PageRequest) -> Page:
    """The requested page of `source` with the total, as Django's Paginator numbers pages.

    The usual page costs one read (rows and total together); a page past the end, the
    last page or a page beyond `MAX_DIRECT_PAGE` counts first.
    """
    number, size = request.number(), request.size
    if number is not None and 1 <= number <= MAX_DIRECT_PAGE:
        rows, total = source.page(limit=size, offset=(number - 1) * size)
        if rows:
            return Page(rows, total, number, size)
        total = source.count()
        if number == 1:  # an empty first page is a page
            return Page(rows, total, number, size)
    else:
        total = source.count()
    paginator = Paginator(range(total), size)
    try:
        number = paginator.validate_number(paginator.num_pages if number is None else number)
    except EmptyPage as exc:
        raise _invalid_page(exc) from None
    rows, _ = source.page(limit=size, offset=(number - 1) * size)
    return Page(rows, total, number, size)


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = LAST_PAGE_STRINGS

    def page_request(self, request) -> PageRequest:
        return PageRequest(
            request.query_params.get(self.page_query_param), self.get_page_size(request)
        )

    def paginate_queryset(self, queryset, request, view=None):
        self.page_request(request).number()  # a malformed number is a 400, not a 404
        return super().paginate_queryset(queryset, request, view)

    def page_response(self, request, page: Page, data) -> Response:
        """`get_paginated_response` for a `Page` of `paginate`."""
        url = request.build_absolute_uri()
        next_link = previous_link = None
        if page.number < page.num_pages:
            next_link = replace_query_param(url, self.page_query_param, page.number + 1)
        if page.number > 1:
            previous = page.number - 1
            previous_link = (
                remove_query_param(url, self.page_query_param)
                if previous == 1
                else replace_query_param(url, self.page_query_param, previous)
            )
        return Response(
            {"count": page.count, "next": next_link, "previous": previous_link, "results": data}
        )
