"""Domain errors of accounts; core.errors.exception_handler maps them to HTTP.

The two 401s are DRF authentication failures (they carry the `WWW-Authenticate` header);
the rest are ApplicationErrors.
"""

from rest_framework import exceptions

from core.errors import ApplicationError, Conflict


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
