"""Small factories for tests: users of each role and authenticated API clients."""

import itertools

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Role, User
from directory.services import profile_create_for_practitioner

PASSWORD = "calm-Waters-2026"
_counter = itertools.count(1)


def make_user(*, role=Role.CLIENT, email=None, name=None, password=PASSWORD, **extra) -> User:
    n = next(_counter)
    user = User.objects.create_user(
        email=email or f"user{n}@example.org",
        password=password,
        name=name or f"Test User{n}",
        role=role,
        **extra,
    )
    if role == Role.PRACTITIONER:
        profile_create_for_practitioner(user=user)
    return user


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client
