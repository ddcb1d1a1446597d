from django.urls import path

from directory import views

urlpatterns = [
    path("modalities/", views.ModalityListView.as_view(), name="modality-list"),
    path("practitioners/", views.PractitionerSearchView.as_view(), name="practitioner-search"),
    path(
        "practitioners/<str:key>/",
        views.PractitionerDetailView.as_view(),
        name="practitioner-detail",
    ),
]
