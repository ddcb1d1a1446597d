import pytest

from accounts.models import Role
from tests.factories import client_for, make_user


@pytest.fixture
def other_practitioner_api(db):
    return client_for(make_user(role=Role.PRACTITIONER))


@pytest.fixture
def offline_geocoder(settings):
    settings.GEOCODER = "offline"
    return settings
