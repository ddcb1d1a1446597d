from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import signals
        from webhooks import delivery, receivers

        delivery.register()
        signals.account_deleting.connect(
            receivers.retire_subscriptions, dispatch_uid="webhooks.retire_subscriptions"
        )
