from django.urls import path
from rest_framework.routers import SimpleRouter

from directory import photo_views, views

router = SimpleRouter()
router.register("me/locations", views.LocationViewSet, basename="me-location")
router.register("me/services", views.ServiceViewSet, basename="me-service")
router.register("me/availability", views.AvailabilityRuleViewSet, basename="me-availability")
router.register("me/time-off", views.TimeOffViewSet, basename="me-time-off")

urlpatterns = [
    path("me/profile/", views.ProfileView.as_view(), name="me-profile"),
    path("me/profile/photo/", photo_views.ProfilePhotoView.as_view(), name="me-profile-photo"),
    path(
        "me/locations/<uuid:location_id>/photos/",
        photo_views.LocationPhotoListView.as_view(),
        name="me-location-photos",
    ),
    path(
        "me/locations/<uuid:location_id>/photos/<uuid:photo_id>/",
        photo_views.LocationPhotoDetailView.as_view(),
        name="me-location-photo",
    ),
    path("modalities/", views.ModalityListView.as_view(), name="modality-list"),
    path("autocomplete/", views.AutocompleteView.as_view(), name="autocomplete"),
    path("practitioners/", views.PractitionerSearchView.as_view(), name="practitioner-search"),
    path(
        "practitioners/<str:key>/",
        views.PractitionerDetailView.as_view(),
        name="practitioner-detail",
    ),
    *router.urls,
]
