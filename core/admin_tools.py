"""What the apps' admin pages share: read-only model admins, actions that change state
through a service one row at a time, and amounts shown as money.

State is never edited in the admin: a status written by hand would skip what the
services do with it (slots, refunds, ratings, notifications). Pages are for looking;
actions call the owning app's services, so the rules and side effects are the API's.
"""

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.currencies import money_display
from core.errors import ApplicationError


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Lists and detail pages only: nothing is added, edited or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SearchByIdMixin:
    """A search term that is a whole UUID (with or without dashes) also finds the rows
    whose `id_search_field` equals it; substring search on ids would only scan."""

    id_search_field = "pk"

    def get_search_results(self, request, queryset, search_term):
        matches, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            wanted = uuid.UUID(search_term.strip())
        except ValueError:
            return matches, may_have_duplicates
        return matches | queryset.filter(**{self.id_search_field: wanted}), may_have_duplicates


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def money(amount: int | None, currency: str) -> str:
    """An amount in minor units as people read it, as the API's `display` writes it:
    9000 EUR -> "€90.00"; JPY has no minor unit (500 -> "¥500")."""
    if amount is None:
        return "-"
    return money_display(amount, currency)


def apply_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[Any],
    action: Callable[[Any], object],
    *,
    verb: str,
) -> int:
    """Call `action(obj)` for each object and report "N <objects> <verb>." and each refusal.

    Each call is its own service call (and durable transaction), so one refusal neither
    stops nor undoes the others; a domain refusal becomes a warning naming the row and
    the service's reason, never a 500. Returns how many succeeded.
    """
    done, refused = 0, []
    for obj in objects:
        try:
            action(obj)
        except ApplicationError as exc:
            refused.append(f"{obj}: {exc.message} ({exc.code})")
        except ValidationError as exc:
            refused.append(f"{obj}: {' '.join(exc.messages)}")
        else:
            done += 1
    opts = modeladmin.model._meta
    if done:
        modeladmin.message_user(
            request, f"{done} {model_ngettext(opts, done)} {verb}.", messages.SUCCESS
        )
    if refused:
        modeladmin.message_user(
            request,
            f"{len(refused)} {model_ngettext(opts, len(refused))} not {verb}: "
            + "; ".join(refused),
            messages.WARNING,
        )
    return done
