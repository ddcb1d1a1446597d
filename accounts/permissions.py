from rest_framework.permissions import BasePermission

from accounts.errors import MfaRequiredForRole
from accounts.login import token_has_mfa
from accounts.selectors import user_mfa_enabled


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
