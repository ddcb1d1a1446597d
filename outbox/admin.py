from django.contrib import admin, messages

from outbox.models import OutboxMessage
from outbox.services import messages_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "not_after",
    )
    list_filter = ("status", "channel")
    search_fields = ("recipient", "id", "dedupe_key")
    ordering = ("-created_at",)
    actions = ("retry_now",)
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry now (failed or pending messages)")
    def retry_now(self, request, queryset):
        count = messages_retry(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} message(s) will be sent again.", messages.SUCCESS)
