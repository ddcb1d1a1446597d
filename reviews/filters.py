import django_filters

from reviews.models import FlagCode, Review, ReviewStatus


class ModerationReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    flag = django_filters.ChoiceFilter(
        choices=FlagCode.choices, method="filter_flag", label="Has this automatic flag"
    )
    practitioner = django_filters.UUIDFilter(field_name="practitioner_id")

    class Meta:
        model = Review
        fields = ["status", "flag", "practitioner"]

    def filter_flag(self, queryset, name, value):
        return queryset.filter(flags__code=value)
