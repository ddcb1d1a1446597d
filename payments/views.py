import logging

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPractitioner
from core.json_strict import InvalidJSONEncoding, json_loads_strict
from payments import connect, webhooks
from payments.errors import InvalidEvent
from payments.serializers import (
    PayoutOnboardingSerializer,
    PayoutStatusSerializer,
    WebhookAckSerializer,
)
from payments.stripe_client import SignatureError, verify_signature

logger = logging.getLogger("payments")


class StripeWebhookView(APIView):
    """Stripe events; authenticated by the `Stripe-Signature` header, nothing else."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        operation_id="payments_stripe_webhook",
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter("Stripe-Signature", str, OpenApiParameter.HEADER, required=True)
        ],
        responses={
            200: WebhookAckSerializer,
            400: OpenApiResponse(description="Missing, forged or stale signature"),
            503: OpenApiResponse(description="Busy or Stripe unreachable; Stripe retries"),
        },
    )
    def post(self, request):
        signature = request.headers.get("Stripe-Signature", "")
        try:
            # The signature is over the text; bytes that are no UTF-8 text are no event.
            payload = request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidJSONEncoding() from exc
        try:
            verify_signature(payload=payload, signature=signature)
        except SignatureError as exc:
            logger.warning("Rejected Stripe webhook: %s", exc)
            return Response(
                {"code": "invalid_signature", "detail": "The Stripe signature is not valid."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except (ValueError, TypeError, AttributeError) as exc:
            # Signed by someone holding our secret, yet not an event: still never a 500.
            raise InvalidEvent() from exc
        data = json_loads_strict(payload)
        if not isinstance(data, dict):
            raise InvalidEvent()
        outcome = webhooks.webhook_event_process(payload=data)
        return Response({"received": True, "outcome": outcome})


class PayoutStatusView(APIView):
    permission_classes = [IsAuthenticated, IsPractitioner]

    @extend_schema(
        operation_id="me_payouts_retrieve",
        parameters=[
            OpenApiParameter(
                "refresh", bool, description="Read the current status from Stripe first"
            )
        ],
        responses={200: PayoutStatusSerializer},
    )
    def get(self, request):
        profile = request.user.practitioner_profile
        if request.query_params.get("refresh") in ("1", "true", "True"):
            account = connect.payout_status_refresh(practitioner=profile)
        else:
            account = connect.connect_account_of(practitioner=profile)
        return Response(PayoutStatusSerializer(account).data)


class PayoutOnboardingView(APIView):
    permission_classes = [IsAuthenticated, IsPractitioner]

    @extend_schema(
        operation_id="me_payouts_onboarding_create",
        request=None,
        responses={200: PayoutOnboardingSerializer},
    )
    def post(self, request):
        url = connect.payout_onboarding_link_create(practitioner=request.user.practitioner_profile)
        return Response(PayoutOnboardingSerializer({"url": url}).data)
