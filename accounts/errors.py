"""Domain errors of accounts; core.errors.exception_handler maps them to HTTP.

The two session-token 401s are DRF authentication failures (they carry the
`WWW-Authenticate` header); the rest are ApplicationErrors.
"""

from rest_framework import exceptions, status

from core.errors import ApplicationError, Conflict, PermissionDenied, TooManyRequests


class SessionTokenExpired(exceptions.AuthenticationFailed):
    """An access or refresh token past its lifetime: refresh, or log in again."""

    default_code = "token_expired"
    default_detail = "The token has expired."


class SessionTokenInvalid(exceptions.AuthenticationFailed):
    """A token that is malformed, tampered with, of the wrong type, blacklisted, or revoked
    (password changed or reset, account deactivated or deleted): log in again."""

    default_code = "token_invalid"
    default_detail = "The token is not valid; log in again."


class TokenInvalid(ApplicationError):
    """An e-mail verification key or a password reset token that cannot be used."""

    code = "token_invalid"
    message = "This link is invalid or has expired; ask for a new one."


class EmailUnverified(Conflict):
    code = "email_unverified"
    message = "Verify your e-mail address first (POST /api/v1/auth/email/resend/ sends a new link)."


class EmailAlreadyVerified(Conflict):
    code = "email_already_verified"
    message = "This e-mail address is already verified."


class PasswordIncorrect(ApplicationError):
    code = "password_incorrect"
    message = "The current password is not correct."


class PhoneInvalid(ApplicationError):
    code = "phone_invalid"
    message = "Give a valid phone number in international format, such as +49 30 1234567."


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
