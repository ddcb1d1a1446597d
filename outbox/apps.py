from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import readiness
        from outbox import email, sms
        from outbox.readiness import job_storage_check

        email.register()
        sms.register()
        readiness.register("jobs", job_storage_check)
