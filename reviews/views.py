from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsModeratorWithMfa
from reviews import selectors, services
from reviews.filters import ModerationReviewFilter
from reviews.serializers import (
    ModerationReviewSerializer,
    PublicReviewSerializer,
    ReasonSerializer,
    ReplySerializer,
    ReviewCreatedSerializer,
    ReviewCreateSerializer,
    ReviewErrorSerializer,
    ReviewReportCreatedSerializer,
)


def _errors(described: dict[int, str]) -> dict:
    """Document error responses ({code, detail}) with the domain codes each may carry."""
    return {
        status_code: OpenApiResponse(ReviewErrorSerializer, description=text)
        for status_code, text in described.items()
    }


_AUTH_ERRORS = {400: "Invalid input (field errors keyed by field).", 401: "No or bad token."}
_NOT_A_MODERATOR = (
    "Not a moderator, or `mfa_required_for_role`: moderators must sign in with two-factor "
    "authentication."
)


class BookingReviewCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="booking_review_create",
        request=ReviewCreateSerializer,
        responses={
            201: ReviewCreatedSerializer,
            **_errors(
                {
                    **_AUTH_ERRORS,
                    403: "`not_booking_client`: the practitioner of the booking.",
                    404: "`booking_not_found`: no such booking, or not yours.",
                    409: "`email_unverified`, `booking_not_completed` or `review_exists`.",
                }
            ),
        },
        tags=["reviews"],
    )
    def post(self, request, pk):
        serializer = ReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_create(
            user=request.user, booking_id=pk, **serializer.validated_data
        )
        return Response(ReviewCreatedSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewReplyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="review_reply",
        request=ReplySerializer,
        responses={
            200: PublicReviewSerializer,
            **_errors(
                {
                    **_AUTH_ERRORS,
                    403: "`not_reviewed_practitioner`.",
                    404: "`review_not_found`.",
                    409: "`review_not_approved`.",
                }
            ),
        },
        tags=["reviews"],
    )
    def post(self, request, pk):
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_reply(review_id=pk, user=request.user, **serializer.validated_data)
        return Response(PublicReviewSerializer(review).data)


class ReviewReportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="review_report",
        request=ReasonSerializer,
        responses={
            201: ReviewReportCreatedSerializer,
            **_errors(
                {
                    **_AUTH_ERRORS,
                    403: "`own_review`: authors cannot report their own review.",
                    404: "`review_not_found`.",
                    409: "`review_not_approved` or `already_reported`.",
                }
            ),
        },
        tags=["reviews"],
    )
    def post(self, request, pk):
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.review_report(
            review_id=pk, user=request.user, **serializer.validated_data
        )
        return Response(ReviewReportCreatedSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["moderation"],
    responses={
        200: ModerationReviewSerializer(many=True),
        **_errors({401: "No or bad token.", 403: _NOT_A_MODERATOR}),
    },
)
class ModerationReviewListView(generics.ListAPIView):
    permission_classes = [IsModeratorWithMfa]
    serializer_class = ModerationReviewSerializer
    filterset_class = ModerationReviewFilter

    def get_queryset(self):
        return selectors.review_list_moderation()


class _ModerationDecisionView(APIView):
    permission_classes = [IsModeratorWithMfa]

    def _respond(self, review):
        review = selectors.review_list_moderation().get(pk=review.pk)
        return Response(ModerationReviewSerializer(review).data)


class ModerationApproveView(_ModerationDecisionView):
    @extend_schema(
        operation_id="moderation_review_approve",
        request=None,
        responses={
            200: ModerationReviewSerializer,
            **_errors(
                {
                    401: "No or bad token.",
                    403: _NOT_A_MODERATOR,
                    404: "`review_not_found`.",
                    409: "`invalid_transition`: already approved.",
                }
            ),
        },
        tags=["moderation"],
    )
    def post(self, request, pk):
        return self._respond(services.review_approve(review_id=pk, moderator=request.user))


class ModerationRejectView(_ModerationDecisionView):
    @extend_schema(
        operation_id="moderation_review_reject",
        request=ReasonSerializer,
        responses={
            200: ModerationReviewSerializer,
            **_errors(
                {
                    **_AUTH_ERRORS,
                    403: _NOT_A_MODERATOR,
                    404: "`review_not_found`.",
                    409: "`invalid_transition`: already rejected.",
                }
            ),
        },
        tags=["moderation"],
    )
    def post(self, request, pk):
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_reject(
            review_id=pk, moderator=request.user, **serializer.validated_data
        )
        return self._respond(review)


@extend_schema(
    tags=["reviews"],
    parameters=[
        OpenApiParameter(
            "id_or_slug",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description="The practitioner's id (UUID) or slug.",
        )
    ],
)
class PractitionerReviewListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = PublicReviewSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.review_list_public(id_or_slug=self.kwargs["id_or_slug"])
