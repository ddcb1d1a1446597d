"""The project's settings without the payments app: nobody registers a payment port."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "payments"]  # noqa: F405
