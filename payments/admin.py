from django.contrib import admin

from payments.models import ConnectAccount, Payment, Refund, StripeCustomer, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger is written by services only; admin is for looking."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("amount", "reason", "status", "stripe_refund_id", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "payment_intent_id",
        "booking",
        "amount",
        "currency",
        "application_fee_amount",
        "status",
        "refunded_amount",
        "disputed",
        "created_at",
    )
    list_filter = ("status", "disputed", "currency")
    search_fields = ("payment_intent_id", "booking__id", "stripe_customer_id")
    # The client_secret lets its holder pay the intent; staff never need to see it.
    exclude = ("client_secret",)
    inlines = [RefundInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("stripe_refund_id", "payment", "amount", "reason", "status", "created_at")
    list_filter = ("status", "reason")
    search_fields = ("stripe_refund_id", "payment__payment_intent_id")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "received_at", "processed_at", "outcome")
    list_filter = ("type",)
    search_fields = ("event_id",)


@admin.register(StripeCustomer)
class StripeCustomerAdmin(ReadOnlyAdmin):
    list_display = ("stripe_customer_id", "user", "created_at")
    search_fields = ("stripe_customer_id", "user__email")


@admin.register(ConnectAccount)
class ConnectAccountAdmin(ReadOnlyAdmin):
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
