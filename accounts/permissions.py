from rest_framework.permissions import BasePermission

from accounts.errors import EmailUnverified
from accounts.models import User
from accounts.selectors import user_email_verified


class IsPractitioner(BasePermission):
    message = "Only practitioners can use this endpoint."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_practitioner)


class IsModerator(BasePermission):
    message = "Only moderators can use this endpoint."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_moderator)


def require_verified_email(user: User) -> None:
    """For services of any app: raise 409 `email_unverified` unless the user verified their
    address (booking, reviewing and publishing a profile need one)."""
    if not user_email_verified(user):
        raise EmailUnverified()
