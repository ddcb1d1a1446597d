"""Signing in to the API: password, then the second factor when the account has one.

`login` answers with a token pair whose `amr` claim (RFC 8176 authentication method
references) records how the user proved who they are: ["pwd"] or ["pwd", "otp"].
Refreshed access tokens carry the claim on; `token_has_mfa` reads it, and the
moderation permission requires it.
"""

from django.contrib.auth import authenticate
from django.http import HttpRequest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import lockout, mfa
from accounts.errors import AccountLocked, InvalidCredentials, MfaInvalid, MfaRequired
from accounts.models import User
from accounts.selectors import user_mfa_enabled

AMR_CLAIM = "amr"
AMR_PASSWORD = "pwd"
AMR_OTP = "otp"


def issue_tokens(user: User, *, mfa_verified: bool) -> dict[str, str]:
    """A refresh and an access token for the user, recording whether a second factor was used."""
    refresh = RefreshToken.for_user(user)
    refresh[AMR_CLAIM] = [AMR_PASSWORD, AMR_OTP] if mfa_verified else [AMR_PASSWORD]
    return {"refresh": str(refresh), "access": str(refresh.access_token)}


def token_has_mfa(token) -> bool:
    """Whether a validated token was obtained with a second factor."""
    if token is None or not hasattr(token, "get"):
        return False
    methods = token.get(AMR_CLAIM)
    return isinstance(methods, list) and AMR_OTP in methods


def _locked(request: HttpRequest, email: str) -> AccountLocked:
    return AccountLocked(retry_after=lockout.retry_after_seconds(request, username=email))


def login(*, request: HttpRequest, email: str, password: str, otp: str = "") -> dict[str, str]:
    """Check the credentials (and the code, for an account with MFA); returns the tokens.

    Every wrong password or code counts towards the account's lockout; a locked account
    is refused before its password is checked.
    """
    if lockout.is_locked(request, username=email):
        raise _locked(request, email)
    # The axes backend reads the request (client address, lockout state).
    user = authenticate(request, username=email, password=password)
    if user is None:
        if lockout.locked_by_this_request(request):
            raise _locked(request, email)
        raise InvalidCredentials()
    verified = False
    if user_mfa_enabled(user):
        if not otp:
            raise MfaRequired()
        if mfa.code_device(user=user, code=otp) is None:
            if lockout.count_failure(request, username=email):
                raise _locked(request, email)
            raise MfaInvalid()
        verified = True
    return issue_tokens(user, mfa_verified=verified)
