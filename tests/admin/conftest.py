"""Browsers signed in to the admin: `admin_client` (a superuser, pytest-django's) for the
pages and actions, `browser_for(user)` for staff with fewer rights and for non-staff."""

import pytest
from django.test import Client


def browser_for(user) -> Client:
    """A browser with a session for `user` (whether the admin lets them in is the test)."""
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def non_staff_browser(client_user):
    return browser_for(client_user)
