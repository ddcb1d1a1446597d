"""Your webhook endpoints: /api/v1/me/webhooks/..."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from outbox.models import OutboxMessage
from webhooks import selectors, services
from webhooks.errors import WebhooksNotAllowed
from webhooks.models import WebhookSubscription
from webhooks.serializers import (
    WebhookDeliverySerializer,
    WebhookSubscriptionCreateSerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionUpdateSerializer,
    WebhookSubscriptionWithSecretSerializer,
)

_URL_ERRORS = (
    "`invalid_webhook_url` (not an absolute http(s) URL, or with credentials), "
    "`webhook_url_not_https`, `webhook_url_not_public` (the host resolves to a private, "
    "loopback, link-local, multicast or reserved address), `webhook_url_unresolvable`, "
    "`unknown_event_type`"
)
_FORBIDDEN = OpenApiResponse(description="`webhooks_not_allowed`: clients cannot subscribe.")
_NOT_FOUND = OpenApiResponse(description="`webhook_not_found`: no such subscription of yours.")
_DISABLED = OpenApiResponse(
    description="`webhook_disabled`: enable the subscription (`is_active: true`) first."
)


class MaySubscribe(BasePermission):
    message = WebhooksNotAllowed.message
    code = WebhooksNotAllowed.code

    def has_permission(self, request, view):
        return selectors.may_subscribe(request.user)


class _WebhookView:
    permission_classes = [IsAuthenticated, MaySubscribe]
    filter_backends = []

    def subscription(self, pk) -> WebhookSubscription:
        return selectors.subscription_get(owner=self.request.user, subscription_id=pk)


@extend_schema(tags=["webhooks"])
class WebhookListCreateView(_WebhookView, generics.ListAPIView):
    """Your webhook endpoints. Practitioners receive the events of their own bookings,
    payments and reviews; staff endpoints receive every event."""

    serializer_class = WebhookSubscriptionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return selectors.subscriptions_of(owner=self.request.user)

    @extend_schema(
        request=WebhookSubscriptionCreateSerializer,
        responses={
            201: WebhookSubscriptionWithSecretSerializer,
            400: OpenApiResponse(
                description=f"{_URL_ERRORS}, `too_many_webhooks` (20 per account)."
            ),
            403: _FORBIDDEN,
        },
        summary="Add an endpoint; the answer shows its signing secret, this once",
    )
    def post(self, request):
        data = WebhookSubscriptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_create(owner=request.user, **data.validated_data)
        return Response(
            WebhookSubscriptionWithSecretSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["webhooks"])
class WebhookDetailView(_WebhookView, APIView):
    @extend_schema(responses={200: WebhookSubscriptionSerializer, 404: _NOT_FOUND})
    def get(self, request, pk):
        return Response(WebhookSubscriptionSerializer(self.subscription(pk)).data)

    @extend_schema(
        request=WebhookSubscriptionUpdateSerializer,
        responses={
            200: WebhookSubscriptionSerializer,
            400: OpenApiResponse(description=f"{_URL_ERRORS}."),
            404: _NOT_FOUND,
        },
        summary="Change an endpoint; `is_active: true` enables a disabled one",
    )
    def patch(self, request, pk):
        subscription = self.subscription(pk)
        data = WebhookSubscriptionUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_update(
            subscription=subscription, **data.validated_data
        )
        return Response(WebhookSubscriptionSerializer(subscription).data)

    @extend_schema(responses={204: None, 404: _NOT_FOUND})
    def delete(self, request, pk):
        services.subscription_delete(subscription=self.subscription(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"])
class WebhookRotateSecretView(_WebhookView, APIView):
    @extend_schema(
        request=None,
        responses={200: WebhookSubscriptionWithSecretSerializer, 404: _NOT_FOUND},
        summary="Replace the signing secret; the new one is shown this once",
    )
    def post(self, request, pk):
        subscription = services.subscription_rotate_secret(subscription=self.subscription(pk))
        return Response(WebhookSubscriptionWithSecretSerializer(subscription).data)


@extend_schema(tags=["webhooks"])
class WebhookTestView(_WebhookView, APIView):
    @extend_schema(
        request=None,
        responses={202: WebhookDeliverySerializer, 404: _NOT_FOUND, 409: _DISABLED},
        summary="Send a `webhook.test` event to this endpoint",
    )
    def post(self, request, pk):
        subscription = self.subscription(pk)
        delivery = services.webhook_send_test(subscription=subscription)
        return _delivery_response(subscription, delivery)


@extend_schema(tags=["webhooks"])
class WebhookDeliveryListView(_WebhookView, generics.ListAPIView):
    """This endpoint's deliveries, newest first, each with its attempts (status code,
    the first kilobyte of the answer, error, duration)."""

    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OutboxMessage.objects.none()
        return selectors.deliveries_of(subscription=self.subscription(self.kwargs["pk"]))


@extend_schema(tags=["webhooks"])
class WebhookRedeliverView(_WebhookView, APIView):
    @extend_schema(
        request=None,
        responses={
            202: WebhookDeliverySerializer,
            404: OpenApiResponse(description="`webhook_not_found`, `webhook_delivery_not_found`."),
            409: _DISABLED,
        },
        summary="Send a delivery's event again, with the same webhook-id and body",
    )
    def post(self, request, pk, delivery_id):
        subscription = self.subscription(pk)
        delivery = selectors.delivery_get(subscription=subscription, delivery_id=delivery_id)
        redelivery = services.delivery_redeliver(subscription=subscription, delivery=delivery)
        return _delivery_response(subscription, redelivery)


def _delivery_response(subscription: WebhookSubscription, delivery: OutboxMessage) -> Response:
    # Read again: the delivery may have been attempted at commit already.
    delivery = selectors.delivery_get(subscription=subscription, delivery_id=delivery.pk)
    return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
