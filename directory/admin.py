"""The directory in the admin: practitioners (publish and unpublish through
directory.services, with the API's rules: a verified e-mail address and a complete
profile), their locations and services. Nothing is edited here."""

from django.contrib import admin

from core.admin_tools import ReadOnlyInline, ReadOnlyModelAdmin, apply_each, money
from directory import services
from directory.models import Location, PractitionerProfile, Service


class LocationInline(ReadOnlyInline):
    model = Location
    fields = ["name", "address_line", "city", "postal_code", "country", "is_active", "is_listed"]
    readonly_fields = fields


class ServiceInline(ReadOnlyInline):
    model = Service
    fields = ["name", "mode", "duration_minutes", "price_shown", "location", "is_active"]
    readonly_fields = fields

    @admin.display(description="price")
    def price_shown(self, service):
        return money(service.price_amount, service.currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("location")


@admin.register(PractitionerProfile)
class PractitionerProfileAdmin(ReadOnlyModelAdmin):
    list_display = ["display_name", "slug", "user", "is_published", "timezone", "created_at"]
    list_filter = ["is_published"]
    search_fields = ["display_name", "slug", "user__email"]
    list_select_related = ["user"]
    ordering = ["display_name", "slug"]
    show_full_result_count = False
    actions = ["publish_selected", "unpublish_selected"]
    inlines = [LocationInline, ServiceInline]
    fields = [
        "id",
        "user",
        "slug",
        "display_name",
        "headline",
        "bio",
        "modalities",
        "languages",
        "timezone",
        "offers_online",
        "online_meeting_url",
        "is_published",
        "min_notice_minutes",
        "max_advance_days",
        "buffer_minutes",
        "slot_interval_minutes",
        "cancellation_window_hours",
        "late_cancellation_refund_percent",
        "reminder_offsets_minutes",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_publish_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Publish selected practitioners", permissions=["publish"])
    def publish_selected(self, request, queryset):
        # The service refuses unverified addresses and incomplete profiles, as in the API.
        apply_each(
            self,
            request,
            queryset.order_by("slug"),
            lambda profile: services.profile_update(profile=profile, is_published=True),
            verb="published",
        )

    @admin.action(description="Unpublish selected practitioners", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.order_by("slug"),
            lambda profile: services.profile_update(profile=profile, is_published=False),
            verb="unpublished",
        )


@admin.register(Location)
class LocationAdmin(ReadOnlyModelAdmin):
    list_display = ["__str__", "practitioner", "city", "postal_code", "country", "is_active"]
    list_filter = ["is_active", "is_listed", "country"]
    search_fields = ["name", "city", "postal_code", "practitioner__display_name"]
    list_select_related = ["practitioner"]
    ordering = ["practitioner__display_name", "created_at"]
    show_full_result_count = False
    fields = [
        "id",
        "practitioner",
        "name",
        "address_line",
        "city",
        "region",
        "postal_code",
        "country",
        "latitude",
        "longitude",
        "is_active",
        "is_listed",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(Service)
class ServiceAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "practitioner", "mode", "duration_minutes", "price_shown", "is_active"]
    list_filter = ["mode", "is_active", "currency"]
    search_fields = ["name", "practitioner__display_name"]
    list_select_related = ["practitioner"]
    ordering = ["practitioner__display_name", "name"]
    show_full_result_count = False
    fields = [
        "id",
        "practitioner",
        "name",
        "description",
        "mode",
        "duration_minutes",
        "price_shown",
        "location",
        "is_active",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description="price", ordering="price_amount")
    def price_shown(self, service):
        return money(service.price_amount, service.currency)
