"""Bookings in the admin: read-only lists and details; cancel, complete and no-show as
actions that call bookings.services as staff (`as_staff=True`), so slots, refunds,
notifications and events follow as they do in the API. A staff cancellation refunds the
client in full (the practitioner's rule)."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingStatus
from bookings.services.transitions import STAFF
from core.admin_tools import ReadOnlyModelAdmin, SearchByIdMixin, apply_each, money


class StartListFilter(admin.SimpleListFilter):
    title = "start"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [
            ("today", "Today"),
            ("next_7_days", "Next 7 days"),
            ("upcoming", "Upcoming"),
            ("past", "Past"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        match self.value():
            case "today":
                return queryset.filter(start__gte=midnight, start__lt=midnight + timedelta(days=1))
            case "next_7_days":
                return queryset.filter(start__gte=now, start__lt=now + timedelta(days=7))
            case "upcoming":
                return queryset.filter(start__gte=now)
            case "past":
                return queryset.filter(start__lt=now)
        return queryset


@admin.register(Booking)
class BookingAdmin(SearchByIdMixin, ReadOnlyModelAdmin):
    list_display = [
        "start",
        "status_shown",
        "practitioner",
        "client",
        "service",
        "amount_shown",
    ]
    list_filter = ["status", StartListFilter]
    date_hierarchy = "start"
    ordering = ["-start"]
    # Client e-mail and practitioner name by substring; a whole booking id exactly
    # (SearchByIdMixin).
    search_fields = ["client__email", "practitioner__display_name"]
    search_help_text = "Client e-mail, practitioner name, or a booking id."
    list_select_related = ["practitioner", "client", "service"]
    # A count of the whole table on every page is a second scan; the filtered one suffices.
    show_full_result_count = False
    actions = ["cancel_selected", "complete_selected", "mark_no_show_selected"]
    fields = [
        "id",
        "status",
        "start",
        "end",
        "practitioner",
        "client",
        "service",
        "service_name",
        "location",
        "location_address",
        "duration_minutes",
        "amount_shown",
        "refund_shown",
        "hold_expires_at",
        "cancelled_at",
        "cancelled_by",
        "cancelled_by_role",
        "cancellation_reason",
        "completed_at",
        "blocked_start",
        "blocked_end",
        "ics_sequence",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="status", ordering="status")
    def status_shown(self, booking):
        if (
            booking.status == BookingStatus.PENDING_PAYMENT
            and booking.hold_expires_at is not None
            and booking.hold_expires_at <= timezone.now()
        ):
            # Not yet tidied up by expire_holds, but it holds no slot any more.
            return "Pending payment (hold lapsed)"
        return booking.get_status_display()

    @admin.display(description="amount", ordering="amount")
    def amount_shown(self, booking):
        return money(booking.amount, booking.currency)

    @admin.display(description="refund")
    def refund_shown(self, booking):
        return money(booking.refund_amount, booking.currency)

    # Actions need the change permission (staff with view-only see the lists alone).
    def has_transition_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(
        description="Cancel selected bookings (full refund to the client)…",
        permissions=["transition"],
    )
    def cancel_selected(self, request, queryset):
        bookings = queryset.select_related("practitioner", "client", "service").order_by("start")
        if "apply" in request.POST:
            apply_each(
                self,
                request,
                bookings,
                lambda booking: services.booking_cancel(
                    booking=booking, by=request.user, as_staff=True
                ),
                verb="cancelled",
            )
            return None
        # Say what will happen first: the clients are e-mailed and refunded.
        now = timezone.now()
        rows = [
            (
                booking,
                money(
                    services.refund_amount_for_cancellation(
                        booking=booking, by_role=STAFF, now=now
                    ),
                    booking.currency,
                ),
            )
            for booking in bookings
        ]
        return TemplateResponse(
            request,
            "admin/bookings/booking/cancel_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": "Cancel bookings",
                "opts": self.opts,
                "rows": rows,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Mark selected bookings completed", permissions=["transition"])
    def complete_selected(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.select_related("practitioner").order_by("start"),
            lambda booking: services.booking_complete(
                booking=booking, by=request.user, as_staff=True
            ),
            verb="marked completed",
        )

    @admin.action(description="Mark selected bookings no-show", permissions=["transition"])
    def mark_no_show_selected(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.select_related("practitioner").order_by("start"),
            lambda booking: services.booking_mark_no_show(
                booking=booking, by=request.user, as_staff=True
            ),
            verb="marked no-show",
        )
