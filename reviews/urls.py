from django.urls import path

from reviews import views

urlpatterns = [
    path(
        "bookings/<uuid:pk>/review/",
        views.BookingReviewCreateView.as_view(),
        name="booking-review-create",
    ),
    path("reviews/<uuid:pk>/reply/", views.ReviewReplyView.as_view(), name="review-reply"),
    path("reviews/<uuid:pk>/report/", views.ReviewReportView.as_view(), name="review-report"),
    path(
        "moderation/reviews/",
        views.ModerationReviewListView.as_view(),
        name="moderation-review-list",
    ),
    path(
        "moderation/reviews/<uuid:pk>/approve/",
        views.ModerationApproveView.as_view(),
        name="moderation-review-approve",
    ),
    path(
        "moderation/reviews/<uuid:pk>/reject/",
        views.ModerationRejectView.as_view(),
        name="moderation-review-reject",
    ),
    path(
        "practitioners/<str:id_or_slug>/reviews/",
        views.PractitionerReviewListView.as_view(),
        name="practitioner-review-list",
    ),
]
