"""One error shape everywhere: {"code", "detail", "fields"?}, from DRF views, from Django
itself (no URL, bad Host, too large a body, wrong method, a crash) and from the JSON parser."""

import json
from unittest import mock

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import admin_client_for, make_staff
from tests.payments.helpers import WEBHOOK_PATH, WEBHOOK_SECRET, make_event, sign

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
PROFILE = "/api/v1/me/profile/"
SERVICES = "/api/v1/me/services/"


@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


def _envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"code", "detail", "fields"}, body
    return body


def _register_body(**overrides) -> dict:
    password = "a long passphrase 42"
    return {"email": "new@example.org", "password": password, "name": "N", "role": "client"} | (
        overrides
    )


def _post_raw(client, path: str, body: bytes, **extra):
    return client.post(path, data=body, content_type="application/json", **extra)


# --- field errors --------------------------------------------------------------------


def test_field_errors_are_under_fields_never_beside_code(api_client):
    body = _envelope(api_client.post(REGISTER, {"email": "not-an-email"}), 400, "invalid")
    assert "email" in body["fields"] and "password" in body["fields"]
    assert all(isinstance(m, str) for messages in body["fields"].values() for m in messages)
    assert "email" not in body


def test_a_list_field_error_is_a_list_under_a_dotted_position(practitioner_api):
    response = practitioner_api.patch(PROFILE, {"languages": ["de", "english"]}, format="json")
    body = _envelope(response, 400, "invalid")
    assert list(body["fields"]) == ["languages.1"]
    assert isinstance(body["fields"]["languages.1"], list)
    assert isinstance(body["fields"]["languages.1"][0], str)


def test_a_nested_error_is_under_its_dotted_path(practitioner_api):
    service = {"name": "Shiatsu", "duration_minutes": 60, "mode": "in_person"}
    response = practitioner_api.post(
        SERVICES, {**service, "price": {"amount": 85.5, "currency": "EUR"}}, format="json"
    )
    body = _envelope(response, 400, "amount_invalid")
    assert list(body["fields"]) == ["price.amount"]


def test_domain_field_errors_are_under_fields_too(client_api):
    response = client_api.patch("/api/v1/me/", {"phone": "not a phone"}, format="json")
    body = _envelope(response, 400, response.json()["code"])
    assert list(body["fields"]) == ["phone"]


# --- strict JSON bodies ----------------------------------------------------------------


def test_json_nested_950_deep_is_400_not_a_crash(api_client):
    body = b'{"email": ' + b"[" * 950 + b"]" * 950 + b"}"
    _envelope(_post_raw(api_client, REGISTER, body), 400, "json_too_deep")
    assert not User.objects.exists()


def test_json_nested_just_past_the_limit_is_400(api_client):
    body = b'{"name": ' + b"[" * 64 + b"]" * 64 + b"}"
    _envelope(_post_raw(api_client, REGISTER, body), 400, "json_too_deep")
    ok = json.dumps(_register_body(name=[[["x"]]])).encode()  # shallow: the serializer decides
    _envelope(_post_raw(api_client, REGISTER, ok), 400, "invalid")


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_non_finite_numbers_are_400(api_client, literal):
    body = b'{"email": "x@example.org", "role": "client", "name": ' + literal + b"}"
    _envelope(_post_raw(api_client, REGISTER, body), 400, "json_non_finite_number")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"name": "\xff\xfe"}', id="invalid-utf8"),
        pytest.param(b'{"name": "\\ud800"}', id="lone-surrogate-escape"),
    ],
)
def test_text_that_is_not_utf8_is_400(api_client, body):
    _envelope(_post_raw(api_client, REGISTER, body), 400, "json_invalid_encoding")


def test_malformed_json_is_400_json_invalid(api_client):
    _envelope(_post_raw(api_client, REGISTER, b'{"email": '), 400, "json_invalid")


def test_signed_stripe_webhook_with_nan_is_400(api_client, webhook_secret):
    event = json.dumps(make_event("payment_intent.succeeded", {"id": "pi_1"})).encode()
    payload = event.replace(b'"created": ', b'"amount": NaN, "created": ')
    response = _post_raw(api_client, WEBHOOK_PATH, payload, HTTP_STRIPE_SIGNATURE=sign(payload))
    _envelope(response, 400, "json_non_finite_number")


def test_signed_stripe_webhook_nested_too_deep_is_400(api_client, webhook_secret):
    payload = b'{"id": "evt_deep", "type": "x", "data": ' + b"[" * 950 + b"]" * 950 + b"}"
    response = _post_raw(api_client, WEBHOOK_PATH, payload, HTTP_STRIPE_SIGNATURE=sign(payload))
    _envelope(response, 400, "json_too_deep")


def test_unsigned_stripe_webhook_is_still_refused_on_its_signature(api_client, webhook_secret):
    payload = b'{"amount": NaN}'
    response = _post_raw(api_client, WEBHOOK_PATH, payload, HTTP_STRIPE_SIGNATURE="t=1,v1=00")
    _envelope(response, 400, "invalid_signature")


# --- Django and the WSGI layer ---------------------------------------------------------


def test_a_body_over_the_limit_is_413_json_in_the_api(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(_register_body(name="x" * 2000)).encode()
    _envelope(_post_raw(api_client, REGISTER, body), 413, "request_too_large")


def test_a_body_over_the_limit_is_413_json_outside_drf(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/admin/login/", {"username": "x" * 2000, "password": "y"})
    _envelope(response, 413, "request_too_large")


def test_a_bad_host_header_is_400_json():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/practitioners/", HTTP_HOST="evil.example")
    body = _envelope(response, 400, "invalid_host")
    assert "evil.example" not in body["detail"]


@pytest.mark.parametrize("path", ["/no-such-page", "/static/nothing.css", "/api/v1/no-such/"])
def test_unknown_paths_are_404_json(client, path):
    _envelope(client.get(path), 404, "not_found")


def test_an_unknown_admin_path_is_404_json_for_staff():
    browser = admin_client_for(make_staff())
    _envelope(browser.get("/admin/no-such-app/"), 404, "not_found")
    assert browser.get("/admin/")["Content-Type"].startswith("text/html")  # its own pages


def test_a_wrong_method_outside_drf_is_405_json_with_allow(client):
    response = client.post("/healthz")
    _envelope(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_wrong_method_in_the_api_is_405_json(api_client):
    _envelope(api_client.delete(REGISTER), 405, "method_not_allowed")


def test_an_unhandled_error_is_500_json():
    client = Client(raise_request_exception=False)
    with mock.patch("core.views.readiness.run_checks", side_effect=RuntimeError("boom")):
        response = client.get("/readyz")
    body = _envelope(response, 500, "server_error")
    assert "boom" not in body["detail"]


def test_a_csrf_failure_is_json_under_the_api_and_the_admin_page_elsewhere():
    # Every API view is CSRF-exempt (JWT, no cookies), so no request reaches the failure
    # view for an API path today; the view is asked directly for that case.
    from django.test import RequestFactory

    from core.error_views import csrf_failure

    api = csrf_failure(RequestFactory().post("/api/v1/bookings/"), reason="no cookie")
    assert api.status_code == 403 and json.loads(api.content)["code"] == "csrf_failed"
    admin_login = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    assert admin_login.status_code == 403
    assert admin_login["Content-Type"].startswith("text/html")  # the admin's own page


def test_nested_and_many_serializer_errors_flatten_to_dotted_paths():
    # No writable nested serializer is in the API yet; the rule is the same for one.
    from rest_framework import serializers

    from core.errors import flatten_field_errors

    class Item(serializers.Serializer):
        start = serializers.DateTimeField()
        tags = serializers.ListField(child=serializers.IntegerField())

        def validate(self, attrs):
            raise serializers.ValidationError("Whole item refused.")

    class Order(serializers.Serializer):
        items = Item(many=True)
        place = Item()

    order = Order(
        data={
            "items": [{"start": "x", "tags": [1]}, {"start": "2026-01-01T10:00Z", "tags": []}],
            "place": {"start": "y", "tags": [1, "z"]},
        }
    )
    assert not order.is_valid()
    flat = flatten_field_errors(order.errors)
    assert flat == {
        "items.0.start": [mock.ANY],
        "items.1.non_field_errors": ["Whole item refused."],
        "place.start": [mock.ANY],
        "place.tags.1": ["A valid integer is required."],
    }
    assert all(isinstance(m, str) for messages in flat.values() for m in messages)
