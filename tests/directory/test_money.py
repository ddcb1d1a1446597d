"""Money that cannot be misread: one `{amount, currency, display}` shape in minor units,
currencies from the marketplace's list, each currency's exponent and Stripe's minimum."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.currencies import parse_marketplace_currencies
from tests.bookings.conftest import free_start, iso
from tests.factories import client_for, make_practitioner, make_user

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/me/services/"


def _create(api, price=None, **extra):
    body = {"name": "Session", "duration_minutes": 60, "mode": "online", **extra}
    if price is not None:
        body["price"] = price
    return api.post(SERVICES, body, format="json")


@pytest.mark.parametrize(
    ("price", "display"),
    [
        ({"amount": 8500, "currency": "EUR"}, "€85.00"),
        ({"amount": 8500, "currency": "USD"}, "$85.00"),
        ({"amount": 8500, "currency": "GBP"}, "£85.00"),
        ({"amount": 8500, "currency": "CHF"}, "CHF\u00a085.00"),  # a no-break space
        ({"amount": 8500, "currency": "CAD"}, "CA$85.00"),
        ({"amount": 8500, "currency": "AUD"}, "A$85.00"),
        ({"amount": 50, "currency": "EUR"}, "€0.50"),  # Stripe's minimum in EUR
        ({"amount": 30, "currency": "GBP"}, "£0.30"),  # ... and in GBP
        ({"amount": 0, "currency": "EUR"}, "€0.00"),  # free
        # What the client read may be sent back as it is.
        ({"amount": 9000, "currency": "EUR", "display": "€90.00"}, "€90.00"),
    ],
)
def test_a_price_in_minor_units_of_a_marketplace_currency(practitioner_api, price, display):
    response = _create(practitioner_api, price)
    assert response.status_code == 201, response.json()
    expected = {"amount": price["amount"], "currency": price["currency"], "display": display}
    assert response.json()["price"] == expected
    assert practitioner_api.get(f"{SERVICES}{response.json()['id']}/").json()["price"] == expected


@pytest.mark.parametrize(
    ("price", "code", "field"),
    [
        ({"amount": 85.0, "currency": "EUR"}, "amount_invalid", "price.amount"),
        ({"amount": 85.5, "currency": "EUR"}, "amount_invalid", "price.amount"),
        ({"amount": "85", "currency": "EUR"}, "amount_invalid", "price.amount"),
        ({"amount": True, "currency": "EUR"}, "amount_invalid", "price.amount"),
        ({"amount": None, "currency": "EUR"}, "amount_invalid", "price.amount"),
        ({"amount": -1, "currency": "EUR"}, "amount_invalid", "price.amount"),
        ({"amount": 100_000_000, "currency": "EUR"}, "amount_invalid", "price.amount"),
        ({"amount": 10, "currency": "EUR"}, "amount_below_minimum", "price.amount"),  # €0.10
        ({"amount": 49, "currency": "EUR"}, "amount_below_minimum", "price.amount"),
        ({"amount": 29, "currency": "GBP"}, "amount_below_minimum", "price.amount"),
        ({"amount": 1, "currency": "USD"}, "amount_below_minimum", "price.amount"),
        ({"amount": 8500}, "currency_required", "price.currency"),
        ({"amount": 8500, "currency": ""}, "currency_required", "price.currency"),
        ({"amount": 8500, "currency": "eur"}, "currency_unsupported", "price.currency"),
        ({"amount": 8500, "currency": "JPY"}, "currency_unsupported", "price.currency"),
        ({"amount": 8500, "currency": "XYZ"}, "currency_unsupported", "price.currency"),
        ({"amount": 8500, "currency": 978}, "currency_unsupported", "price.currency"),
        ({"amount": 8500, "currency": "EUR", "cents": 1}, "money_invalid", "price"),
        (8500, "money_invalid", "price"),
        ("85.00 EUR", "money_invalid", "price"),
    ],
)
def test_a_price_that_could_be_misread_is_400(practitioner_api, price, code, field):
    response = _create(practitioner_api, price)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert practitioner_api.get(SERVICES).json()["count"] == 0


def test_below_the_minimum_says_the_minimum(practitioner_api):
    response = _create(practitioner_api, {"amount": 10, "currency": "EUR"})
    assert response.json()["minimum"] == {"amount": 50, "currency": "EUR", "display": "€0.50"}


def test_a_service_without_a_price_or_with_the_old_fields_is_400(practitioner_api):
    missing = _create(practitioner_api)
    old_client = _create(practitioner_api, price_amount=85.0, currency="usd")
    for response in (missing, old_client):
        assert response.status_code == 400
        assert response.json()["code"] == "invalid" and "price" in response.json()["fields"]


def test_a_price_change_is_checked_the_same_way(practitioner_api):
    created = _create(practitioner_api, {"amount": 8500, "currency": "EUR"}).json()
    url = f"{SERVICES}{created['id']}/"
    assert (
        practitioner_api.patch(
            url, {"price": {"amount": 20, "currency": "EUR"}}, format="json"
        ).json()["code"]
        == "amount_below_minimum"
    )
    assert (
        practitioner_api.patch(url, {"price": {"amount": 20}}, format="json").json()["code"]
        == "currency_required"
    )
    renamed = practitioner_api.patch(url, {"name": "Renamed"}, format="json")
    assert renamed.json()["price"] == created["price"]  # a patch without price keeps it


def test_yen_have_no_minor_unit(settings, practitioner_api):
    settings.MARKETPLACE_CURRENCIES = "EUR,JPY"
    yen = _create(practitioner_api, {"amount": 5000, "currency": "JPY"})
    assert yen.status_code == 201, yen.json()
    assert yen.json()["price"] == {"amount": 5000, "currency": "JPY", "display": "¥5,000"}
    smallest = _create(practitioner_api, {"amount": 50, "currency": "JPY"})
    assert smallest.json()["price"]["display"] == "¥50"
    below = _create(practitioner_api, {"amount": 49, "currency": "JPY"})
    assert below.json()["code"] == "amount_below_minimum"
    assert below.json()["minimum"] == {"amount": 50, "currency": "JPY", "display": "¥50"}
    # Only the marketplace's currencies.
    assert _create(practitioner_api, {"amount": 8500, "currency": "USD"}).json()["code"] == (
        "currency_unsupported"
    )


def test_a_yen_booking_is_charged_in_yen(settings, stripe_local_api):
    settings.MARKETPLACE_CURRENCIES = "EUR,JPY"
    _, profile, service = make_practitioner(min_notice_minutes=0, price_amount=5000, currency="JPY")
    client_api = client_for(make_user())
    booking = client_api.post(
        "/api/v1/bookings/",
        {"service": str(service.pk), "start": iso(free_start(profile, service))},
    ).json()
    assert booking["price"] == {"amount": 5000, "currency": "JPY", "display": "¥5,000"}
    intent = stripe_local_api.v1.payment_intents.retrieve(booking["payment"]["payment_intent_id"])
    assert (intent.amount, intent.currency) == (5000, "jpy")  # Stripe's codes are lower case


def test_a_free_session_books_without_stripe(practitioner_api):
    # Stripe is a closed port in tests: a paid booking could not start its payment.
    assert _create(practitioner_api, {"amount": 0, "currency": "GBP"}).status_code == 201
    _, profile, service = make_practitioner(min_notice_minutes=0, price_amount=0, currency="GBP")

    booking = client_for(make_user()).post(
        "/api/v1/bookings/",
        {"service": str(service.pk), "start": iso(free_start(profile, service))},
    )

    assert booking.status_code == 201, booking.json()
    assert (booking.json()["status"], booking.json()["payment"]) == ("confirmed", None)
    assert booking.json()["price"] == {"amount": 0, "currency": "GBP", "display": "£0.00"}


def test_the_public_profile_shows_prices_as_money(api_client):
    _, profile, _ = make_practitioner(price_amount=9000)
    body = api_client.get(f"/api/v1/practitioners/{profile.slug}/").json()
    assert body["services"][0]["price"] == {"amount": 9000, "currency": "EUR", "display": "€90.00"}
    assert body["price_from"] == body["services"][0]["price"]
    assert "currency" not in body


@pytest.mark.parametrize("value", ["", "eur", "EUR,XYZ", "EURO", "EUR,KRW", " , "], ids=repr)
def test_marketplace_currencies_are_checked_at_start_up(value):
    with pytest.raises(ImproperlyConfigured):
        parse_marketplace_currencies(value)


def test_the_default_marketplace_currencies():
    assert parse_marketplace_currencies("EUR,USD,GBP,CHF,CAD,AUD, EUR") == (
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "CAD",
        "AUD",
    )
