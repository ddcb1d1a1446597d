"""Domain errors of webhooks; core.errors.exception_handler maps them to HTTP.

Each 400 also carries the field it is about, keyed by field name like DRF's field errors.
"""

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied


class WebhooksNotAllowed(PermissionDenied):
    code = "webhooks_not_allowed"
    message = "Only practitioners and staff can subscribe to webhooks."


class WebhookNotFound(NotFound):
    code = "webhook_not_found"
    message = "Webhook subscription not found."


class WebhookDeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"
    message = "Delivery not found for this subscription."


class WebhookDisabled(Conflict):
    code = "webhook_disabled"
    message = "This subscription is disabled; enable it with `is_active: true` first."


class _FieldError(ApplicationError):
    field = ""

    def __init__(self, message: str | None = None):
        super().__init__(message)
        self.fields = {self.field: [self.message]}


class InvalidWebhookUrl(_FieldError):
    code = "invalid_webhook_url"
    message = "Enter a valid absolute URL (https://host/path), without credentials."
    field = "url"


class WebhookUrlNotHttps(_FieldError):
    code = "webhook_url_not_https"
    message = "The URL must use https."
    field = "url"


class WebhookUrlNotPublic(_FieldError):
    code = "webhook_url_not_public"
    message = (
        "The URL's host resolves to a private, loopback, link-local, multicast or reserved "
        "address; webhooks are sent only to public addresses."
    )
    field = "url"


class WebhookUrlUnresolvable(_FieldError):
    code = "webhook_url_unresolvable"
    message = "The URL's host name does not resolve."
    field = "url"


class TooManyWebhooks(_FieldError):
    code = "too_many_webhooks"
    message = "You have the maximum number of webhook subscriptions; delete one first."
    field = "non_field_errors"


class UnknownEventType(_FieldError):
    code = "unknown_event_type"
    message = "Unknown event type."
    field = "event_types"
