"""Forgotten password: the reset e-mail, its single-use token, and what a reset ends.

POST /auth/password/reset/ answers 202 with the same body whether or not an account uses
the address, after the same reads; the e-mail's link carries `uid` and `token` to the SPA.
"""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.accounts.conftest import assert_session_ended, link_in, login, me
from tests.factories import PASSWORD, make_user
from tests.threads import run_together

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"
TOKEN = "/api/v1/auth/token/"
NEW_PASSWORD = "new-Quiet-Harbour-7"


@pytest.fixture
def reset_link(django_capture_on_commit_callbacks):
    """Anna (with a session) asked for a reset: (anna, her session, the link's query)."""
    anna = make_user(email="anna@example.org", name="Anna Kowalska")
    session = login(anna)
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(RESET, {"email": "ANNA@example.org"})
    assert response.status_code == 202
    (message,) = mail.outbox
    assert message.to == ["anna@example.org"]
    assert "\n" not in message.subject
    url, query = link_in(message)
    assert url == "http://127.0.0.1:3000/reset-password"
    assert set(query) == {"uid", "token"}
    return anna, session, query


def confirm(query, password=NEW_PASSWORD, **overrides):
    return APIClient().post(CONFIRM, {**query, "new_password": password, **overrides})


def test_a_reset_sets_the_password_and_ends_every_session_at_once(reset_link):
    anna, session, query = reset_link
    response = confirm(query)
    assert response.status_code == 200, response.json()
    assert_session_ended(session)
    old = APIClient().post(TOKEN, {"email": anna.email, "password": PASSWORD})
    assert old.status_code == 401
    assert me(login(anna, NEW_PASSWORD)["access"]).status_code == 200


def test_a_reset_link_works_once(reset_link):
    _, _, query = reset_link
    assert confirm(query).status_code == 200
    again = confirm(query, password="another-Calm-River-8")
    assert again.status_code == 400 and again.json()["code"] == "token_invalid"


def test_an_expired_reset_link_is_token_invalid(reset_link, settings):
    anna, session, query = reset_link
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token is older than that
    response = confirm(query)
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"
    assert me(session["access"]).status_code == 200
    assert login(anna)


@pytest.mark.parametrize(
    "tamper",
    [
        {"token": "abc-def"},
        {"uid": "not-base64!"},
        {"uid": "bm90LWEtdXVpZA"},  # base64 of "not-a-uuid"
        {"uid": "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"},  # no such user
    ],
)
def test_an_altered_reset_link_is_token_invalid(reset_link, tamper):
    anna, _, query = reset_link
    response = confirm(query, **tamper)
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"
    assert login(anna)


# Committed for real: each reset's e-mail is delivered after its own commit.
@pytest.mark.django_db(transaction=True)
def test_another_users_token_is_token_invalid():
    anna, bob = make_user(email="anna@example.org"), make_user(email="bob@example.org")
    for user in (anna, bob):
        assert APIClient().post(RESET, {"email": user.email}).status_code == 202
    anna_mail, bob_mail = mail.outbox
    assert (anna_mail.to, bob_mail.to) == ([anna.email], [bob.email])
    _, anna_query = link_in(anna_mail)
    _, bob_query = link_in(bob_mail)
    mixed = confirm({"uid": bob_query["uid"], "token": anna_query["token"]})
    assert mixed.status_code == 400 and mixed.json()["code"] == "token_invalid"
    assert login(bob) and login(anna)


@pytest.mark.parametrize("weak", ["short", "password123", "12345678901", "anna.kowalska"])
def test_a_weak_new_password_is_400_with_messages_and_the_link_still_works(reset_link, weak):
    _, session, query = reset_link
    response = confirm(query, password=weak)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"]["new_password"]
    assert me(session["access"]).status_code == 200
    assert confirm(query).status_code == 200


def test_an_unknown_address_gets_the_same_answer_after_the_same_reads():
    make_user(email="anna@example.org")
    seen = []
    for email in ("anna@example.org", "nobody@example.org"):
        with CaptureQueriesContext(connection) as queries:
            response = APIClient().post(RESET, {"email": email})
        statements = [query["sql"] for query in queries]
        reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
        writes = [sql for sql in statements if sql not in reads]
        seen.append((response.status_code, response.json(), len(reads), writes))
    (known, unknown) = seen
    assert known[:3] == unknown[:3]
    assert known[0] == 202
    # The one difference: the known address gets its e-mail written to the outbox.
    assert unknown[3] == []
    assert len(known[3]) == 1 and "outbox" in known[3][0]


def test_an_unknown_address_gets_no_mail(django_capture_on_commit_callbacks):
    make_user(email="anna@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(RESET, {"email": "nobody@example.org"})
    assert response.status_code == 202
    assert mail.outbox == []


def test_a_deactivated_account_gets_no_reset_mail(django_capture_on_commit_callbacks):
    make_user(email="gone@example.org", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(RESET, {"email": "gone@example.org"})
    assert response.status_code == 202
    assert mail.outbox == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "not-an-address"},
        {"email": ["anna@example.org"]},
    ],
)
def test_a_malformed_reset_request_is_400(body):
    response = APIClient().post(RESET, body, format="json")
    assert response.status_code == 400 and "email" in response.json()["fields"]


@pytest.mark.parametrize("missing", ["uid", "token", "new_password"])
def test_a_confirm_without_a_field_is_400(missing):
    body = {"uid": "x", "token": "y", "new_password": NEW_PASSWORD}
    del body[missing]
    response = APIClient().post(CONFIRM, body, format="json")
    assert response.status_code == 400 and missing in response.json()["fields"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_link_used_twice_at_once_sets_one_password():
    anna = make_user(email="anna@example.org")
    assert APIClient().post(RESET, {"email": anna.email}).status_code == 202
    _, query = link_in(mail.outbox[-1])
    statuses = []
    errors = run_together(
        [
            lambda: statuses.append(confirm(query, password="first-Calm-River-8").status_code),
            lambda: statuses.append(confirm(query, password="second-Calm-River-9").status_code),
        ]
    )
    assert errors == []
    assert sorted(statuses) == [200, 400]
