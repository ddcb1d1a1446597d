"""Bodies of sign-in and two-factor set-up."""

from rest_framework import serializers

from accounts.mfa import CODE_MAX_LENGTH


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=CODE_MAX_LENGTH,
        help_text="For accounts with two-factor authentication: the six-digit code from the "
        "authenticator app, or one of the recovery codes (each works once).",
    )


class TotpSetupSerializer(serializers.Serializer):
    otpauth_uri = serializers.CharField(
        help_text="`otpauth://totp/...` URI: show it as a QR code for the authenticator app."
    )
    secret = serializers.CharField(help_text="The same secret in base32, to type in by hand.")
    digits = serializers.IntegerField()
    period = serializers.IntegerField(help_text="Seconds each code is valid.")


class MfaCodeSerializer(serializers.Serializer):
    # Named as at sign-in; `code` would clash with the error body's own `code`.
    otp = serializers.CharField(
        max_length=CODE_MAX_LENGTH,
        help_text="The six-digit code from the authenticator app (or, where said, a recovery "
        "code).",
    )


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="One-time codes to sign in without the app. Shown only now: keep them safe.",
    )
