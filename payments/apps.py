from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from bookings import payment_port
        from payments.provider import StripePaymentPort

        payment_port.register(StripePaymentPort())
