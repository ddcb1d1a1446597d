"""Signing in to the API: password, then the second factor when the account has one.

`login` answers with a session (accounts.tokens) whose `amr` claim records whether a
second factor was used; the moderation permission requires one.
"""

from django.contrib.auth import authenticate
from django.http import HttpRequest

from accounts import lockout, mfa, tokens
from accounts.errors import AccountLocked, InvalidCredentials, MfaInvalid, MfaRequired
from accounts.selectors import user_mfa_enabled


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
    return tokens.token_pair_for(user, mfa_verified=verified)
