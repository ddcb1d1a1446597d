from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from core.cache_tables import create_cache_tables

        # Once per `migrate` (and test database set-up): contenttypes is always installed.
        post_migrate.connect(
            create_cache_tables,
            sender=apps.get_app_config("contenttypes"),
            dispatch_uid="core.create_cache_tables",
        )
