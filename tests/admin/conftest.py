"""Who is at the admin: `admin_client` (tests/conftest.py: a superuser signed in with password
and authenticator code) for the pages and actions; staff with fewer rights sign in the same
way (`admin_client_for(make_staff())`); a non-staff account has only a session."""

import pytest
from django.test import Client


@pytest.fixture
def non_staff_browser(client_user):
    """A signed-in client account (the admin login form would refuse it)."""
    browser = Client()
    browser.force_login(client_user)
    return browser
