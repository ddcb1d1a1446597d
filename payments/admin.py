"""The payment ledger in the admin, read-only: it is written by payments' services only
(intents, refunds, webhooks, connect)."""

from django.contrib import admin

from core.admin_tools import ReadOnlyInline, ReadOnlyModelAdmin, SearchByIdMixin, money
from payments.models import ConnectAccount, Payment, Refund, StripeCustomer, WebhookEvent


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("amount_shown", "reason", "status", "stripe_refund_id", "created_at")
    readonly_fields = fields

    @admin.display(description="amount")
    def amount_shown(self, refund):
        return money(refund.amount, refund.payment.currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment")


@admin.register(Payment)
class PaymentAdmin(SearchByIdMixin, ReadOnlyModelAdmin):
    id_search_field = "booking_id"
    list_display = (
        "created_at",
        "payment_intent_id",
        "booking",
        "client",
        "amount_shown",
        "fee_shown",
        "status",
        "refunded_shown",
        "disputed",
    )
    list_filter = ("status", "disputed", "currency")
    date_hierarchy = "created_at"
    search_fields = ("payment_intent_id", "stripe_customer_id", "booking__client__email")
    search_help_text = "PaymentIntent id, Stripe customer id, the client's e-mail or a booking id."
    list_select_related = ("booking__practitioner", "booking__client")
    show_full_result_count = False
    # The client_secret lets its holder pay the intent; staff never need to see it.
    exclude = ("client_secret",)
    inlines = [RefundInline]

    @admin.display(description="client", ordering="booking__client__email")
    def client(self, payment):
        return payment.booking.client

    @admin.display(description="amount", ordering="amount")
    def amount_shown(self, payment):
        return money(payment.amount, payment.currency)

    @admin.display(description="platform fee")
    def fee_shown(self, payment):
        return money(payment.application_fee_amount, payment.currency)

    @admin.display(description="refunded", ordering="refunded_amount")
    def refunded_shown(self, payment):
        return money(payment.refunded_amount, payment.currency)


@admin.register(Refund)
class RefundAdmin(SearchByIdMixin, ReadOnlyModelAdmin):
    id_search_field = "payment__booking_id"
    list_display = (
        "created_at",
        "payment",
        "booking",
        "amount_shown",
        "reason",
        "status",
        "stripe_refund_id",
    )
    list_filter = ("status", "reason")
    date_hierarchy = "created_at"
    search_fields = (
        "stripe_refund_id",
        "payment__payment_intent_id",
        "payment__booking__client__email",
    )
    search_help_text = "Stripe refund id, PaymentIntent id, the client's e-mail or a booking id."
    list_select_related = ("payment__booking__practitioner",)
    ordering = ("-created_at",)
    show_full_result_count = False

    @admin.display(description="booking")
    def booking(self, refund):
        return refund.payment.booking

    @admin.display(description="amount", ordering="amount")
    def amount_shown(self, refund):
        return money(refund.amount, refund.payment.currency)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyModelAdmin):
    list_display = ("event_id", "type", "received_at", "processed_at", "outcome")
    list_filter = ("type",)
    search_fields = ("event_id",)


@admin.register(StripeCustomer)
class StripeCustomerAdmin(ReadOnlyModelAdmin):
    list_display = ("stripe_customer_id", "user", "created_at")
    search_fields = ("stripe_customer_id", "user__email")


@admin.register(ConnectAccount)
class ConnectAccountAdmin(ReadOnlyModelAdmin):
    list_display = (
        "stripe_account_id",
        "practitioner",
        "charges_enabled",
        "payouts_enabled",
        "details_submitted",
        "updated_at",
    )
    list_filter = ("charges_enabled", "payouts_enabled")
    search_fields = ("stripe_account_id", "practitioner__slug")
