from django.urls import path

from payments import views

urlpatterns = [
    path("payments/stripe/webhook/", views.StripeWebhookView.as_view(), name="stripe-webhook"),
    path("me/payouts/", views.PayoutStatusView.as_view(), name="payouts-status"),
    path(
        "me/payouts/onboarding/",
        views.PayoutOnboardingView.as_view(),
        name="payouts-onboarding",
    ),
]
