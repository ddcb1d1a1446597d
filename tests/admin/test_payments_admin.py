"""The payment ledger in the admin: Payment and Refund lists with money, parties and search,
read-only, with no query per row."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments.models import PaymentStatus, Refund, RefundReason, RefundStatus
from tests.factories import make_booking, make_payment, make_practitioner, make_user

pytestmark = pytest.mark.django_db

PAYMENTS = "/admin/payments/payment/"
REFUNDS = "/admin/payments/refund/"


def paid_booking(service, client, *, refunded: int = 0, days: int = 3):
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    booking = make_booking(client=client, service=service, start=start)
    payment = make_payment(
        booking=booking,
        status=PaymentStatus.SUCCEEDED,
        succeeded_at=timezone.now(),
        refunded_amount=refunded,
    )
    if refunded:
        Refund.objects.create(
            payment=payment,
            amount=refunded,
            reason=RefundReason.CANCELLATION,
            status=RefundStatus.SUCCEEDED,
            stripe_refund_id=f"re_{booking.pk.hex[:12]}",
        )
    return booking, payment


def results(browser, url, **params):
    response = browser.get(url, params)
    assert response.status_code == 200
    return response, {obj.pk for obj in response.context["cl"].result_list}


def test_payments_list_money_and_parties_and_search(admin_client):
    _, _, service = make_practitioner(name="Mira Lind")
    ada, bob = make_user(email="ada@example.org"), make_user(email="bob@example.org")
    _, ada_payment = paid_booking(service, ada, refunded=2250)
    bob_booking, bob_payment = paid_booking(service, bob, days=4)

    page, everything = results(admin_client, PAYMENTS)
    assert everything == {ada_payment.pk, bob_payment.pk}
    text = page.content.decode()
    for shown in ("ada@example.org", "€90.00", "€22.50", "Mira Lind"):
        assert shown in text, shown
    assert results(admin_client, PAYMENTS, q="ada@")[1] == {ada_payment.pk}
    assert results(admin_client, PAYMENTS, q=str(bob_booking.pk))[1] == {bob_payment.pk}
    assert results(admin_client, PAYMENTS, q=ada_payment.payment_intent_id)[1] == {ada_payment.pk}
    assert results(admin_client, PAYMENTS, status__exact="succeeded")[1] == everything

    detail = admin_client.get(f"{PAYMENTS}{ada_payment.pk}/change/")
    assert detail.status_code == 200
    assert ada_payment.client_secret not in detail.content.decode()
    assert "€22.50" in detail.content.decode()  # the refund inline


def test_refunds_list_money_booking_and_search(admin_client):
    _, _, service = make_practitioner()
    ada, bob = make_user(email="ada@example.org"), make_user(email="bob@example.org")
    ada_booking, _ = paid_booking(service, ada, refunded=9000)
    bob_booking, _ = paid_booking(service, bob, refunded=2250, days=4)
    ada_refund = Refund.objects.get(payment__booking=ada_booking)
    bob_refund = Refund.objects.get(payment__booking=bob_booking)

    page, everything = results(admin_client, REFUNDS)
    assert everything == {ada_refund.pk, bob_refund.pk}
    assert "€90.00" in page.content.decode() and "€22.50" in page.content.decode()
    assert results(admin_client, REFUNDS, q="bob@")[1] == {bob_refund.pk}
    assert results(admin_client, REFUNDS, q=ada_booking.pk.hex)[1] == {ada_refund.pk}
    assert results(admin_client, REFUNDS, q=ada_refund.stripe_refund_id)[1] == {ada_refund.pk}
    assert results(admin_client, REFUNDS, status__exact="pending")[1] == set()


def test_the_ledger_is_read_only(admin_client):
    _, _, service = make_practitioner()
    _, payment = paid_booking(service, make_user(), refunded=2250)
    refund = Refund.objects.get(payment=payment)
    for url, obj in ((PAYMENTS, payment), (REFUNDS, refund)):
        assert admin_client.get(f"{url}add/").status_code == 403
        assert admin_client.post(f"{url}{obj.pk}/change/", {"amount": 1}).status_code == 403
        assert admin_client.get(f"{url}{obj.pk}/delete/").status_code == 403
    payment.refresh_from_db()
    refund.refresh_from_db()
    assert (payment.amount, refund.amount) == (9000, 2250)


@pytest.mark.parametrize("url", [PAYMENTS, REFUNDS])
def test_ledger_lists_run_no_query_per_row(admin_client, url):
    _, _, service = make_practitioner()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(url)
        assert response.status_code == 200
        return len(captured), len(response.context["cl"].result_list)

    paid_booking(service, make_user(), refunded=100)
    few, rows = queries()
    assert rows == 1
    for n in range(1, 6):
        _, _, other = make_practitioner(name=f"Other {n}", latitude=40 + n, longitude=10)
        paid_booking(other, make_user(), refunded=100, days=3 + n)
    many, rows = queries()
    assert rows == 6
    assert many == few
