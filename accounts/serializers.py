from rest_framework import serializers

from accounts.models import Role, User


class UserSerializer(serializers.ModelSerializer):
    is_moderator = serializers.BooleanField(
        read_only=True, help_text="May use the moderation queue (`/api/v1/moderation/...`)."
    )

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "is_moderator"]
        read_only_fields = ["id", "email", "role"]


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class UserUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
