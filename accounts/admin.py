from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import lockout, services
from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active", "groups"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "role", "phone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (
            "Dates",
            {"fields": ["date_joined", "last_login", "email_verified_at", "anonymised_at"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "name", "role", "password1", "password2"]},
        ),
    ]
    # The phone number is the user's to set (PATCH /me/ checks it is a real E.164 number).
    readonly_fields = ["phone"]
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivated here: its sessions end too (a new password ends them by itself).
            services.user_tokens_revoke(user=obj)

    @admin.action(description="Deactivate and end their sessions")
    def deactivate(self, request, queryset):
        for user in queryset:
            services.user_deactivate(user=user)
        self.message_user(request, f"Deactivated {len(queryset)} account(s).")


@admin.register(AccessAttempt)
class LockoutAttemptAdmin(AccessAttemptAdmin):
    """Failed sign-in attempts (API and admin); "Unlock" lets the accounts sign in again."""

    actions = [*AccessAttemptAdmin.actions, "unlock"]

    @admin.action(description="Unlock the accounts of the selected attempts")
    def unlock(self, request, queryset):
        usernames = {name for name in queryset.values_list("username", flat=True) if name}
        # Attempts without an account (locked by address only) go as selected.
        forgotten = lockout.unlock(usernames=usernames) + queryset.delete()[0]
        self.message_user(
            request,
            f"Unlocked {len(usernames)} account(s); {forgotten} failed attempt(s) forgotten.",
            messages.SUCCESS,
        )


admin.site.register(AccessLog, AccessLogAdmin)
