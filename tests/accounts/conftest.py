"""Helpers for the account flows: sessions as a client sees them, the link an e-mail carries."""

import re
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from rest_framework.test import APIClient

from tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"
LINK = re.compile(r"https?://\S+")


def login(user, password=PASSWORD) -> dict:
    """POST /auth/token/: the new session's `{access, refresh}`."""
    response = APIClient().post(TOKEN, {"email": user.email, "password": password})
    assert response.status_code == 200, response.json()
    return response.json()


def me(access):
    return APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {access}")


def refresh(token):
    return APIClient().post(REFRESH, {"refresh": token})


def assert_rejected(response, code="token_invalid"):
    assert response.status_code == 401, response.json()
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def assert_session_ended(pair):
    """Neither token of the pair works any more: the access token at once, not at expiry."""
    assert_rejected(me(pair["access"]))
    assert_rejected(refresh(pair["refresh"]))


def link_in(message) -> tuple[str, dict[str, str]]:
    """The one link of an account e-mail: (url without query, its query parameters)."""
    (url,) = LINK.findall(message.body)
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """A real hasher, cheap enough for tests that need a password re-hashed at login."""

    iterations = 1000
