from django.contrib import admin

from webhooks.models import WebhookDeliveryAttempt, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("url", "owner", "is_active", "disabled_reason", "failing_since", "created_at")
    list_filter = ("is_active", "disabled_reason")
    search_fields = ("url", "owner__email", "id")
    # Read-only: changes go through the API (its URL checks); the secret is never shown.
    exclude = ("secret",)
    readonly_fields = [f.name for f in WebhookSubscription._meta.fields if f.name != "secret"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDeliveryAttempt)
class WebhookDeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = ("attempted_at", "subscription", "message", "status_code", "error")
    list_filter = ("status_code",)
    search_fields = ("message__id", "subscription__url")
    readonly_fields = [field.name for field in WebhookDeliveryAttempt._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
