"""The account e-mails end to end: a real consumer sends them over SMTP to a real local
mail server (aiosmtpd); the links in what arrives verify the address and reset the
password, through the API. Runs on SQLite and on Redis job storage (`job_storage`)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from rest_framework.test import APIClient

from bookings.models import BookingStatus
from tests.bookings.conftest import free_start, iso
from tests.factories import PASSWORD, make_practitioner

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
ANNA = "anna@example.org"
NEW_PASSWORD = "a quiet room with a view 73"


def link_query(mail) -> dict[str, str]:
    """The query of the first FRONTEND_URL link in a received e-mail's text."""
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    link = next(word for word in text.split() if word.startswith("http://127.0.0.1:3000/"))
    return {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}


def signed_in(api_client, password) -> tuple[APIClient, dict]:
    tokens = api_client.post(TOKEN, {"email": ANNA, "password": password})
    assert tokens.status_code == 200, tokens.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    return client, tokens.json()


def test_register_verify_book_then_reset_the_password_over_real_smtp(
    api_client, start_consumer, smtp_port, smtp_sink
):
    sink = smtp_sink(smtp_port)
    consumer = start_consumer(email_port=smtp_port)
    body = {"email": ANNA, "password": PASSWORD, "name": "Anna K", "role": "client"}
    assert api_client.post(REGISTER, body).status_code == 201

    (verification,) = sink.wait_for(1, timeout=30)
    assert verification.envelope_to == (ANNA,), consumer.log_text()[-2000:]
    anna, _ = signed_in(api_client, PASSWORD)
    assert (
        api_client.post("/api/v1/auth/email/verify/", link_query(verification)).status_code == 200
    )
    assert anna.get(ME).json()["email_verified"] is True

    _, profile, service = make_practitioner(price_amount=0, min_notice_minutes=0)
    booked = anna.post(
        "/api/v1/bookings/",
        {"service": str(service.pk), "start": iso(free_start(profile, service))},
    )
    assert booked.status_code == 201, booked.content
    assert booked.json()["status"] == BookingStatus.CONFIRMED

    reset = api_client.post("/api/v1/auth/password/reset/", {"email": ANNA})
    assert reset.status_code == 202
    received = sink.wait_for(4, timeout=30)  # + the booking's e-mails to both parties
    (reset_mail,) = [mail for mail in received if "uid" in link_query_or_empty(mail)]
    confirm = api_client.post(
        "/api/v1/auth/password/reset/confirm/",
        {**link_query(reset_mail), "new_password": NEW_PASSWORD},
    )
    assert confirm.status_code == 200, confirm.content
    # The session from before the reset is over at once; the new password signs in.
    assert anna.get(ME).status_code == 401
    assert anna.get(ME).json()["code"] == "token_invalid"
    signed_in(api_client, NEW_PASSWORD)
    message_ids = [mail.message_id for mail in sink.received]
    assert len(message_ids) == len(set(message_ids))


def link_query_or_empty(mail) -> dict[str, str]:
    try:
        return link_query(mail)
    except StopIteration:
        return {}
