from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import selectors
from accounts.models import Role, User


class UserSerializer(serializers.ModelSerializer):
    is_moderator = serializers.BooleanField(
        read_only=True, help_text="May use the moderation queue (`/api/v1/moderation/...`)."
    )
    email_verified = serializers.SerializerMethodField(
        help_text="Whether the address is verified; booking, reviewing and publishing a "
        "profile need it (409 `email_unverified` otherwise)."
    )
    mfa_enabled = serializers.SerializerMethodField(
        help_text="Whether logging in asks for a one-time code."
    )
    phone = serializers.CharField(
        read_only=True, help_text="E.164 number for SMS reminders, or empty."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "role",
            "is_moderator",
            "is_staff",
            "email_verified",
            "mfa_enabled",
            "phone",
        ]
        read_only_fields = ["id", "email", "role", "is_staff"]

    @extend_schema_field(serializers.BooleanField())
    def get_email_verified(self, user) -> bool:
        return selectors.user_email_verified(user)

    @extend_schema_field(serializers.BooleanField())
    def get_mfa_enabled(self, user) -> bool:
        return selectors.user_mfa_enabled(user)


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class UserUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="International format (`+49 30 1234567`), stored as E.164; empty or null "
        "removes it. Invalid: 400 `phone_invalid`.",
    )


def _password_field(**kwargs):
    return serializers.CharField(write_only=True, max_length=128, trim_whitespace=False, **kwargs)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`.")
    refresh = serializers.CharField(help_text="Use once at `/auth/token/refresh/`.")


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class EmailVerifySerializer(serializers.Serializer):
    key = serializers.CharField(max_length=1000, help_text="The `key` of the e-mailed link.")


class EmailVerifiedSerializer(serializers.Serializer):
    email_verified = serializers.BooleanField()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text="The `uid` of the e-mailed link.")
    token = serializers.CharField(max_length=128, help_text="The `token` of the e-mailed link.")
    new_password = _password_field()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = _password_field()
    new_password = _password_field()
