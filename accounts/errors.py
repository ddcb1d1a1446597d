"""Domain errors of accounts; core.errors.exception_handler maps them to HTTP."""

from rest_framework import status

from core.errors import ApplicationError, Conflict, PermissionDenied, TooManyRequests


class InvalidCredentials(ApplicationError):
    status_code = status.HTTP_401_UNAUTHORIZED
    # The code simplejwt's login answered with before; clients already know it.
    code = "no_active_account"
    message = "No active account found with the given credentials."


class AccountLocked(TooManyRequests):
    code = "account_locked"
    message = "Too many failed sign-in attempts; this account is locked for now."


class MfaRequired(ApplicationError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "mfa_required"
    message = "This account uses two-factor authentication: send `otp` with the code."


class MfaInvalid(ApplicationError):
    code = "mfa_invalid"
    message = "The authentication code or recovery code is wrong or was already used."


class MfaAlreadyEnabled(Conflict):
    code = "mfa_already_enabled"
    message = "Two-factor authentication is already on; turn it off first to set it up anew."


class MfaSetupNotStarted(Conflict):
    code = "mfa_setup_not_started"
    message = "Start the set-up first: POST /api/v1/auth/mfa/totp/."


class MfaNotEnabled(Conflict):
    code = "mfa_not_enabled"
    message = "Two-factor authentication is not on for this account."


class MfaRequiredForRole(PermissionDenied):
    code = "mfa_required_for_role"
    message = (
        "Moderation needs two-factor authentication: set it up (POST /api/v1/auth/mfa/totp/, "
        "then .../confirm/) and sign in again with a code."
    )
