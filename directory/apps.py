from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import signals
        from directory import receivers

        signals.user_registered.connect(
            receivers.create_practitioner_profile, dispatch_uid="directory.profile_create"
        )
        signals.account_deleting.connect(
            receivers.close_practitioner_profile, dispatch_uid="directory.profile_close"
        )
