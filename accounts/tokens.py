"""Session tokens (simplejwt): issued with the user's token version, checked on every use.

Every access and refresh token carries `token_version`, the user's version when it was
issued. Raising `User.token_version` (a new password, deactivation, deletion: see
`accounts.services.user_tokens_revoke`) makes every outstanding token of the user fail
at once, access tokens included, without listing them. A token without the claim counts
as version 0, so tokens minted before the claim existed last until the first revocation.

Every token also carries `amr` (RFC 8176 authentication method references): how the
session was opened, ["pwd"] or, with a second factor, ["pwd", "otp"]; refreshed and
rotated tokens keep it. `token_has_mfa` reads it (the moderation permission needs it).

Refresh tokens rotate: a refresh is used once, then blacklisted (simplejwt's
token_blacklist app), and a logout blacklists it too. Failures answer 401 with
`token_expired` (refresh, or log in again) or `token_invalid` (log in again).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.errors import SessionTokenExpired, SessionTokenInvalid
from accounts.models import User

VERSION_CLAIM = "token_version"
AMR_CLAIM = "amr"
AMR_PASSWORD = "pwd"
AMR_OTP = "otp"


class _VersionClaim(Token):
    # How the session was opened (the `amr` claim); a subclass per kind of sign-in.
    authentication_methods: tuple[str, ...] = (AMR_PASSWORD,)

    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token[VERSION_CLAIM] = user.token_version
        token[AMR_CLAIM] = list(cls.authentication_methods)
        return token


class UserRefreshToken(RefreshToken, _VersionClaim):
    """simplejwt's refresh token with `token_version` and `amr`. In the MRO the claims are
    set before the blacklist mixin records the outstanding token, so the stored copy
    carries them too."""


class MfaRefreshToken(UserRefreshToken):
    """A refresh token for a session opened with a password and a one-time code."""

    authentication_methods = (AMR_PASSWORD, AMR_OTP)


def token_pair_for(user: User, *, mfa_verified: bool = False) -> dict[str, str]:
    """A new session: `{access, refresh}` for the user at their current token version,
    recording whether the user proved a second factor."""
    refresh = (MfaRefreshToken if mfa_verified else UserRefreshToken).for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_has_mfa(token) -> bool:
    """Whether a validated token belongs to a session opened with a second factor."""
    if token is None or not hasattr(token, "get"):
        return False
    methods = token.get(AMR_CLAIM)
    return isinstance(methods, list) and AMR_OTP in methods


def _decoded(token_class: type[Token], raw: str | bytes) -> Token:
    try:
        return token_class(raw)
    except ExpiredTokenError as exc:
        raise SessionTokenExpired() from exc
    except TokenError as exc:
        # Bad signature or format, wrong type, no id, blacklisted.
        raise SessionTokenInvalid() from exc


def session_user(token: Token) -> User:
    """The active user a valid token speaks for, if the token was not revoked since."""
    try:
        user = User.objects.filter(pk=token.get(api_settings.USER_ID_CLAIM)).first()
    except (ValueError, ValidationError):
        user = None
    if user is None or not user.is_active:
        raise SessionTokenInvalid()
    if token.get(VERSION_CLAIM, 0) != user.token_version:
        raise SessionTokenInvalid("The session was ended (password changed or account closed).")
    return user


def access_token_decoded(raw: str | bytes) -> AccessToken:
    return _decoded(AccessToken, raw)


def _blacklist(refresh: Token) -> bool:
    """Blacklist a refresh token; False if it already was (a concurrent rotation or logout
    got there first: the unique row decides)."""
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=refresh[api_settings.JTI_CLAIM],
        defaults={
            "user_id": refresh.get(api_settings.USER_ID_CLAIM),
            "token": str(refresh),
            "created_at": refresh.current_time,
            "expires_at": datetime_from_epoch(refresh["exp"]),
        },
    )
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    return created


def session_refresh(*, raw_refresh: str) -> dict[str, str]:
    """Use a refresh token once: blacklist it and return a new `{access, refresh}`."""
    refresh = _decoded(UserRefreshToken, raw_refresh)
    session_user(refresh)
    with transaction.atomic(durable=True):
        if not _blacklist(refresh):
            raise SessionTokenInvalid()
        access = refresh.access_token
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
    return {"access": str(access), "refresh": str(refresh)}


def session_logout(*, raw_refresh: str) -> None:
    """End a session: its refresh token cannot be used again (its access token lapses)."""
    refresh = _decoded(UserRefreshToken, raw_refresh)
    session_user(refresh)
    with transaction.atomic(durable=True):
        if not _blacklist(refresh):
            raise SessionTokenInvalid()
