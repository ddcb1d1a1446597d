from django.urls import path
from rest_framework.routers import SimpleRouter

from directory import views

router = SimpleRouter()
router.register("me/locations", views.LocationViewSet, basename="me-location")
router.register("me/services", views.ServiceViewSet, basename="me-service")
router.register("me/availability", views.AvailabilityRuleViewSet, basename="me-availability")
router.register("me/time-off", views.TimeOffViewSet, basename="me-time-off")

urlpatterns = [
    path("me/profile/", views.ProfileView.as_view(), name="me-profile"),
    path("modalities/", views.ModalityListView.as_view(), name="modality-list"),
    path("practitioners/", views.PractitionerSearchView.as_view(), name="practitioner-search"),
    path(
        "practitioners/<str:key>/",
        views.PractitionerDetailView.as_view(),
        name="practitioner-detail",
    ),
    *router.urls,
]
