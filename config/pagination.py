from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (max 100). A malformed page number is a 400; a page past
    the end is DRF's 404 "Invalid page"."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw not in self.last_page_strings and not raw.isdigit():
            raise ValidationError({"page": ["A page number must be a positive integer."]})
        return super().paginate_queryset(queryset, request, view)
