from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from bookings.filters import AvailabilitySearch
        from directory.search_extensions import register_search_extension

        register_search_extension(AvailabilitySearch())
