from django.apps import AppConfig
from django.core import checks


def payment_port_registered(app_configs, **kwargs):
    from bookings import payment_port

    if payment_port.is_registered():
        return []
    return [checks.Error(payment_port.MISSING_MESSAGE, id="bookings.E001")]


class BookingsConfig(AppConfig):
    name = "bookings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import signals
        from bookings import receivers

        signals.account_deletion_requested.connect(
            receivers.refuse_while_bookings_open, dispatch_uid="bookings.refuse_open_bookings"
        )
        # Every app's ready() has run before checks do, so an upper app's port is in by then.
        checks.register(payment_port_registered)
        from bookings.filters import AvailabilitySearch
        from directory.search_extensions import register_search_extension

        register_search_extension(AvailabilitySearch())
