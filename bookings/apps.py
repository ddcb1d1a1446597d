from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import signals
        from bookings import receivers

        signals.account_deletion_requested.connect(
            receivers.refuse_while_bookings_open, dispatch_uid="bookings.refuse_open_bookings"
        )
