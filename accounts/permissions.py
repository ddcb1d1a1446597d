from rest_framework.permissions import BasePermission

from accounts.errors import EmailUnverified, MfaRequiredForRole
from accounts.models import User
from accounts.selectors import user_email_verified, user_mfa_enabled
from accounts.tokens import token_has_mfa


class IsPractitioner(BasePermission):
    message = "Only practitioners can use this endpoint."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_practitioner)


class IsModeratorWithMfa(BasePermission):
    """A moderator (staff or the moderators group) signed in with two-factor authentication.

    The token must say it was obtained with a second factor (its `amr` claim), and the
    account must still have it on: a token from before MFA was set up, or one that
    outlived turning it off, is refused with 403 `mfa_required_for_role`.
    """

    message = "Only moderators can use this endpoint."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_moderator):
            return False
        if not (token_has_mfa(request.auth) and user_mfa_enabled(user)):
            raise MfaRequiredForRole()
        return True


def require_verified_email(user: User) -> None:
    """For services of any app: raise 409 `email_unverified` unless the user verified their
    address (booking, reviewing and publishing a profile need one)."""
    if not user_email_verified(user):
        raise EmailUnverified()
