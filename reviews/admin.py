"""The moderation queue in Django admin. Every decision goes through reviews.services,
so ratings, the audit fields and the practitioner's e-mail behave as in the API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from core.errors import ApplicationError
from reviews import services
from reviews.models import REASON_MAX_LENGTH, FlagCode, Review, ReviewFlag, ReviewReport
from reviews.selectors import open_report_count


class FlagListFilter(admin.SimpleListFilter):
    title = "automatic flag"
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [("none", "No flags"), *FlagCode.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.exclude(flags__isnull=False)
        if value in FlagCode.values:
            return queryset.filter(flags__code=value)
        return queryset


class ReviewFlagInline(admin.TabularInline):
    model = ReviewFlag
    extra = 0
    can_delete = False
    fields = ["code", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReviewReportInline(admin.TabularInline):
    model = ReviewReport
    extra = 0
    can_delete = False
    fields = ["reporter", "reason", "counts_toward_threshold", "created_at", "resolved_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=REASON_MAX_LENGTH
    )


def _is_moderator(request) -> bool:
    return bool(request.user.is_active and request.user.is_moderator)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "practitioner",
        "rating",
        "status",
        "flag_codes",
        "open_reports",
        "moderated_by",
        "moderated_at",
    ]
    list_filter = ["status", FlagListFilter]
    ordering = ["created_at", "id"]
    search_fields = ["text", "practitioner__display_name", "practitioner__slug"]
    list_select_related = ["practitioner", "moderated_by"]
    actions = ["approve_selected", "reject_selected"]
    inlines = [ReviewFlagInline, ReviewReportInline]
    # Nothing is edited by hand: a status written here would bypass the rating bookkeeping.
    readonly_fields = [
        "booking",
        "client",
        "practitioner",
        "rating",
        "text",
        "status",
        "moderated_by",
        "moderated_at",
        "rejection_reason",
        "reply",
        "replied_at",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("flags")
            .annotate(_open_reports=open_report_count())
        )

    @admin.display(description="flags")
    def flag_codes(self, obj):
        return ", ".join(flag.code for flag in obj.flags.all()) or "-"

    @admin.display(description="open reports", ordering="_open_reports")
    def open_reports(self, obj):
        return obj._open_reports

    # Staff and members of the moderators group moderate; nobody adds or deletes reviews here.
    def has_module_permission(self, request):
        return _is_moderator(request)

    def has_view_permission(self, request, obj=None):
        return _is_moderator(request)

    def has_change_permission(self, request, obj=None):
        return _is_moderator(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _report(self, request, *, verb: str, done: int, skipped: list[str]):
        if done:
            self.message_user(request, f"{done} review(s) {verb}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{len(skipped)} review(s) skipped: " + "; ".join(skipped),
                messages.WARNING,
            )

    @admin.action(description="Approve selected reviews")
    def approve_selected(self, request, queryset):
        done, skipped = 0, []
        for review_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                services.review_approve(review_id=review_id, moderator=request.user)
                done += 1
            except ApplicationError as exc:
                skipped.append(f"{review_id}: {exc.message}")
        self._report(request, verb="approved", done=done, skipped=skipped)

    @admin.action(description="Reject selected reviews…")
    def reject_selected(self, request, queryset):
        if "apply" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                done, skipped = 0, []
                for review_id in queryset.order_by("pk").values_list("pk", flat=True):
                    try:
                        services.review_reject(
                            review_id=review_id,
                            moderator=request.user,
                            reason=form.cleaned_data["reason"],
                        )
                        done += 1
                    except ApplicationError as exc:
                        skipped.append(f"{review_id}: {exc.message}")
                self._report(request, verb="rejected", done=done, skipped=skipped)
                return None
        else:
            form = RejectForm()
        # Ask for the reason first: a rejection always records why.
        return TemplateResponse(
            request,
            "admin/reviews/review/reject_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject reviews",
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
