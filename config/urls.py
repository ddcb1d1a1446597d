from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import views

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("directory.urls")),
    path("", include("bookings.urls")),
    path("", include("payments.urls")),
    path("", include("reviews.urls")),
    path("", include("webhooks.urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include(api_v1)),
    # Unknown API paths answer JSON, never Django's HTML 404 page.
    re_path(r"^api/", views.api_not_found),
    path("admin/", admin.site.urls),
    # Uploaded photos in local storage, in DEBUG only (production: see README).
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

# Errors Django answers itself (no URL matched, a bad Host header, a body over
# DATA_UPLOAD_MAX_MEMORY_SIZE, an unhandled exception) use the API's JSON envelope too.
handler400 = "core.error_views.bad_request"
handler403 = "core.error_views.permission_denied"
handler404 = "core.error_views.page_not_found"
handler500 = "core.error_views.server_error"
