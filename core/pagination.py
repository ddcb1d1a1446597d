from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (max 100). A malformed page number is a 400; a page past
    the end is DRF's 404 "Invalid page"."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    # Pages past this are answered by counting first: their offset would not fit a query.
    max_planned_page = 1_000_000

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        is_number = raw is not None and raw.isascii() and raw.isdigit()
        if raw is not None and raw not in self.last_page_strings and not is_number:
            raise ValidationError({"page": ["A page number must be a positive integer."]})
        page_size = self.get_page_size(request)
        number = 1 if raw is None else int(raw) if is_number else None
        plannable = hasattr(queryset, "plan_page") and page_size
        if plannable and number and number <= self.max_planned_page:
            # The search loads the page with its total in one statement.
            queryset.plan_page(limit=page_size, offset=(number - 1) * page_size)
        return super().paginate_queryset(queryset, request, view)
