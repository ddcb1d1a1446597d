"""Two-factor authentication: an authenticator app (TOTP) and one-time recovery codes.

Built on django-otp: a user has at most one confirmed `TOTPDevice` (the app) and, once
it is confirmed, one `StaticDevice` holding RECOVERY_CODE_COUNT single-use codes.
Set-up is two steps so that a mistyped secret cannot lock anyone out: `totp_setup_start`
makes an unconfirmed device (its secret goes to the app), `totp_setup_confirm` turns it
on when the app's first code matches and hands out the recovery codes, once.

A code is either six digits (the app's current code, which cannot be used twice) or a
recovery code (used up when it matches). Wrong codes at sign-in count towards the
lockout (accounts.lockout); django-otp's own back-off is off (settings).
"""

from base64 import b32encode
from dataclasses import dataclass

from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout
from accounts.errors import (
    AccountLocked,
    MfaAlreadyEnabled,
    MfaInvalid,
    MfaNotEnabled,
    MfaSetupNotStarted,
)
from accounts.models import User

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Longer input is no code of ours; it is refused before any lookup.
CODE_MAX_LENGTH = 64


@dataclass(frozen=True)
class TotpSetup:
    """What an authenticator app needs: the secret as a QR-code URI, or typed by hand."""

    otpauth_uri: str
    secret: str
    digits: int
    period: int


def normalise_code(code) -> str:
    """Codes are typed by people: spaces and dashes are dropped, case does not matter."""
    if not isinstance(code, str):
        return ""
    return "".join(code.split()).replace("-", "").lower()


def _lock_user(user: User) -> None:
    # Serialises set-up, confirmation and removal for one user.
    User.objects.select_for_update().filter(pk=user.pk).first()


def _confirmed_app(user: User, *, for_update: bool = False) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    if for_update:
        devices = devices.select_for_update()
    return devices.order_by("pk").first()


def totp_setup_start(*, user: User) -> TotpSetup:
    """A new unconfirmed authenticator for the user (replacing an earlier unconfirmed one)."""
    with transaction.atomic(durable=True):
        _lock_user(user)
        if _confirmed_app(user) is not None:
            raise MfaAlreadyEnabled()
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return TotpSetup(
        otpauth_uri=device.config_url,
        secret=b32encode(device.bin_key).decode("ascii").rstrip("="),
        digits=device.digits,
        period=device.step,
    )


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_setup_confirm(*, user: User, code: str) -> list[str]:
    """Turn the authenticator on with its first code; returns the recovery codes."""
    code = normalise_code(code)
    with transaction.atomic(durable=True):
        _lock_user(user)
        if _confirmed_app(user) is not None:
            raise MfaAlreadyEnabled()
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise MfaSetupNotStarted()
        if not (_is_app_code(code, device) and device.verify_token(code)):
            raise MfaInvalid()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return _recovery_codes_replace(user)


def _is_app_code(code: str, device: TOTPDevice) -> bool:
    return len(code) == device.digits and code.isascii() and code.isdigit()


def _matching_device(user: User, code: str) -> Device | None:
    """The device that accepts `code` (and records its use); the caller holds a transaction."""
    code = normalise_code(code)
    if not code or len(code) > CODE_MAX_LENGTH:
        return None
    app = _confirmed_app(user, for_update=True)
    if app is None:
        return None
    if _is_app_code(code, app):
        return app if app.verify_token(code) else None
    recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(code):
        return recovery
    return None


def code_device(*, user: User, code: str) -> Device | None:
    """Check a second-factor code: the device that accepted it, or None.

    An app code is accepted once (a replay within its 30 seconds is refused); a recovery
    code is deleted when it matches.
    """
    with transaction.atomic(durable=True):
        return _matching_device(user, code)


def totp_disable(*, request, user: User, code: str) -> None:
    """Turn two-factor authentication off, proven with a current code or a recovery code.

    A wrong code counts towards the account's lockout, as at sign-in: a stolen session
    cannot try codes without limit.
    """
    if lockout.is_locked(request, username=user.email):
        raise AccountLocked(retry_after=lockout.retry_after_seconds(request, username=user.email))
    with transaction.atomic(durable=True):
        _lock_user(user)
        if _confirmed_app(user) is None:
            raise MfaNotEnabled()
        accepted = _matching_device(user, code) is not None
        if accepted:
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
    if not accepted:
        if lockout.count_failure(request, username=user.email):
            raise AccountLocked(
                retry_after=lockout.retry_after_seconds(request, username=user.email)
            )
        raise MfaInvalid()
