from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsModerator
from reviews import selectors, services
from reviews.filters import ModerationReviewFilter
from reviews.serializers import (
    ModerationReviewSerializer,
    PublicReviewSerializer,
    ReasonSerializer,
    ReplySerializer,
    ReviewCreatedSerializer,
    ReviewCreateSerializer,
    ReviewReportCreatedSerializer,
)


class BookingReviewCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="booking_review_create",
        request=ReviewCreateSerializer,
        responses={201: ReviewCreatedSerializer},
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
        responses={200: PublicReviewSerializer},
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
        responses={201: ReviewReportCreatedSerializer},
        tags=["reviews"],
    )
    def post(self, request, pk):
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.review_report(
            review_id=pk, user=request.user, **serializer.validated_data
        )
        return Response(ReviewReportCreatedSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["moderation"])
class ModerationReviewListView(generics.ListAPIView):
    permission_classes = [IsModerator]
    serializer_class = ModerationReviewSerializer
    filterset_class = ModerationReviewFilter

    def get_queryset(self):
        return selectors.review_list_moderation()


class _ModerationDecisionView(APIView):
    permission_classes = [IsModerator]

    def _respond(self, review):
        review = selectors.review_list_moderation().get(pk=review.pk)
        return Response(ModerationReviewSerializer(review).data)


class ModerationApproveView(_ModerationDecisionView):
    @extend_schema(
        operation_id="moderation_review_approve",
        request=None,
        responses={200: ModerationReviewSerializer},
        tags=["moderation"],
    )
    def post(self, request, pk):
        return self._respond(services.review_approve(review_id=pk, moderator=request.user))


class ModerationRejectView(_ModerationDecisionView):
    @extend_schema(
        operation_id="moderation_review_reject",
        request=ReasonSerializer,
        responses={200: ModerationReviewSerializer},
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
        profile = selectors.practitioner_get_public(id_or_slug=self.kwargs["id_or_slug"])
        return selectors.review_list_public(practitioner=profile)
