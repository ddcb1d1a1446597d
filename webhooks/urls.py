from django.urls import path

from webhooks import views

urlpatterns = [
    path("me/webhooks/", views.WebhookListCreateView.as_view(), name="me-webhook-list"),
    path("me/webhooks/<uuid:pk>/", views.WebhookDetailView.as_view(), name="me-webhook-detail"),
    path(
        "me/webhooks/<uuid:pk>/rotate-secret/",
        views.WebhookRotateSecretView.as_view(),
        name="me-webhook-rotate-secret",
    ),
    path("me/webhooks/<uuid:pk>/test/", views.WebhookTestView.as_view(), name="me-webhook-test"),
    path(
        "me/webhooks/<uuid:pk>/deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="me-webhook-deliveries",
    ),
    path(
        "me/webhooks/<uuid:pk>/deliveries/<uuid:delivery_id>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="me-webhook-redeliver",
    ),
]
