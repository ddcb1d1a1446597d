import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from outbox.models import MessageStatus, OutboxMessage
from webhooks.events import EVENT_TYPES, TEST_EVENT
from webhooks.models import DisabledReason, WebhookDeliveryAttempt, WebhookSubscription
from webhooks.services import webhook_id_of


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": list(EVENT_TYPES)}})
class EventTypesField(serializers.ListField):
    """Event type names; an unknown one is a 400 `unknown_event_type`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField(max_length=100))
        kwargs.setdefault("max_length", 50)
        super().__init__(**kwargs)


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    event_types = EventTypesField(
        help_text="The event types sent to this endpoint; empty (the default) means all."
    )
    disabled_reason = serializers.ChoiceField(
        choices=DisabledReason.choices,
        read_only=True,
        help_text="Why it is disabled: `paused` (by you), `endpoint_gone` (it answered "
        "410), `failing` (every delivery failed for 10 days), `account_deleted`; empty "
        "while active.",
    )

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "disabled_reason",
            "failing_since",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "disabled_reason", "failing_since", "created_at", "updated_at"]
        extra_kwargs = {
            "url": {
                "help_text": "https URL of a public address, e.g. https://example.com/hooks",
            },
            "is_active": {
                "help_text": "false pauses deliveries; true enables a disabled subscription."
            },
        }


class WebhookSubscriptionCreateSerializer(serializers.Serializer):
    # Blank passes here: the service answers every non-URL with `invalid_webhook_url`.
    url = serializers.CharField(max_length=2000, allow_blank=True)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = EventTypesField(required=False)


class WebhookSubscriptionUpdateSerializer(WebhookSubscriptionCreateSerializer):
    """Used partially: each field given is changed."""

    is_active = serializers.BooleanField(required=False)


class WebhookSubscriptionWithSecretSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (`whsec_...`). Shown only now: at creation and on rotation.",
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookDeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDeliveryAttempt
        fields = ["attempted_at", "status_code", "response_body", "error", "duration_ms"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.Serializer):
    """One delivery of one event to this endpoint, with each HTTP attempt."""

    id = serializers.UUIDField(help_text="This delivery.")
    webhook_id = serializers.SerializerMethodField(
        help_text="The `webhook-id` header: the same on every attempt and on redeliveries."
    )
    event_type = serializers.SerializerMethodField()
    event_id = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=MessageStatus.choices,
        help_text="`pending` (to be tried, or retried at `next_attempt_at`), `sent` "
        "(delivered), `failed` (given up), `cancelled` (withdrawn: the subscription was "
        "paused, disabled or deleted).",
    )
    attempt_count = serializers.IntegerField(source="attempts")
    next_attempt_at = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(source="sent_at", allow_null=True)
    last_error = serializers.CharField()
    event = serializers.SerializerMethodField(help_text="The body sent: the event itself.")
    attempts = WebhookDeliveryAttemptSerializer(many=True, source="webhook_attempts")

    def get_webhook_id(self, obj: OutboxMessage) -> str:
        return webhook_id_of(obj)

    @extend_schema_field({"type": "string", "enum": [*EVENT_TYPES, TEST_EVENT]})
    def get_event_type(self, obj: OutboxMessage) -> str:
        return obj.payload["event_type"]

    def get_event_id(self, obj: OutboxMessage) -> str:
        return obj.payload["event_id"]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_attempt_at(self, obj: OutboxMessage):
        if obj.status != MessageStatus.PENDING:
            return None
        return serializers.DateTimeField().to_representation(obj.next_attempt_at)

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_event(self, obj: OutboxMessage) -> dict:
        return json.loads(obj.payload["body"])
