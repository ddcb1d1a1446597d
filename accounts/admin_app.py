"""Django's admin app, with the two-factor admin site as `admin.site` (see admin_site).

Listed in INSTALLED_APPS in place of "django.contrib.admin"; a module of its own
because an app config is imported before models are ready.
"""

from django.contrib.admin.apps import AdminConfig


class MfaAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.MfaAdminSite"
