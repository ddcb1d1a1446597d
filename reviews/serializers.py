from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.models import (
    REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    FlagCode,
    Review,
    ReviewFlag,
    ReviewReport,
)

# --- input ---------------------------------------------------------------------------


class ReviewCreateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, allow_blank=True)


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=REPLY_MAX_LENGTH)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


# --- output --------------------------------------------------------------------------


class ReviewErrorSerializer(serializers.Serializer):
    """The body of every 4xx here: a stable machine-readable code and a message."""

    code = serializers.CharField()
    detail = serializers.CharField()


class ReviewCreatedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "status", "booking", "rating", "text", "created_at"]


class PublicReviewSerializer(serializers.ModelSerializer):
    """What anyone may see: never the client's e-mail, only "Anna K."."""

    client_name = serializers.CharField(source="client.public_name", read_only=True)
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "rating", "text", "created_at", "client_name", "reply", "replied_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reply(self, review) -> str | None:
        return review.reply or None


class ReviewReportCreatedSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewReport
        fields = ["id", "review", "reason", "created_at"]


class FlagSerializer(serializers.ModelSerializer):
    code = serializers.ChoiceField(choices=FlagCode.choices)

    class Meta:
        model = ReviewFlag
        fields = ["code", "detail"]


class _PractitionerRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.SlugField()
    display_name = serializers.CharField()


class _ClientRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    public_name = serializers.CharField()


class ModerationReviewSerializer(serializers.ModelSerializer):
    practitioner = _PractitionerRefSerializer(read_only=True)
    client = _ClientRefSerializer(read_only=True)
    flags = FlagSerializer(many=True, read_only=True)
    report_count = serializers.IntegerField(read_only=True, default=0)
    open_report_count = serializers.IntegerField(read_only=True, default=0)
    moderated_by = serializers.UUIDField(source="moderated_by_id", read_only=True, allow_null=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "booking",
            "practitioner",
            "client",
            "rating",
            "text",
            "status",
            "flags",
            "report_count",
            "open_report_count",
            "reply",
            "replied_at",
            "moderated_by",
            "moderated_at",
            "rejection_reason",
            "created_at",
        ]
