"""https deliveries connect to the address that was checked, while the URL's host name
stays the TLS server name (SNI), the certificate's name and the Host header: a second
DNS answer (rebinding) can never redirect the request."""

import ssl

import pytest
import trustme

from devtools.webhook_receiver import Receiver
from tests.webhooks.helpers import URL, deliveries, subscribe, verified

pytestmark = pytest.mark.django_db

HOST = "hooks.receiver.test"


@pytest.fixture
def ca(settings, tmp_path):
    authority = trustme.CA()
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    settings.WEBHOOK_CA_BUNDLE = str(bundle)
    return authority


def _tls_receiver(ca, name):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return Receiver().start(tls=context)


@pytest.fixture
def tls_receiver(ca):
    server = _tls_receiver(ca, HOST)
    yield server
    server.stop()


def test_the_checked_address_is_used_with_the_host_name_for_sni_and_host(
    practitioner_api, private_networks, names, tls_receiver, django_capture_on_commit_callbacks
):
    # The first answer is where the receiver listens; any later lookup would lead to an
    # address where nothing does (a rebinding attack's second answer).
    names.add(HOST, ["127.0.0.1"], ["127.0.0.2"])
    created = subscribe(practitioner_api, tls_receiver.url(host=HOST))

    with django_capture_on_commit_callbacks(execute=True):
        practitioner_api.post(f"{URL}{created['id']}/test/")

    (request,) = tls_receiver.received
    assert request.server_name == HOST
    assert request.headers["host"] == f"{HOST}:{tls_receiver.port}"
    assert verified(request, created["secret"])["type"] == "webhook.test"
    assert names.lookups == [HOST]  # one lookup, by the check; the connection used it
    assert deliveries(practitioner_api, created["id"])[0]["status"] == "sent"


def test_a_certificate_for_another_name_is_refused(
    practitioner_api, private_networks, names, ca, django_capture_on_commit_callbacks
):
    server = _tls_receiver(ca, "someone-else.test")
    try:
        names.add(HOST, ["127.0.0.1"])
        created = subscribe(practitioner_api, server.url(host=HOST))

        with django_capture_on_commit_callbacks(execute=True):
            practitioner_api.post(f"{URL}{created['id']}/test/")

        assert server.received == []
        (delivery,) = deliveries(practitioner_api, created["id"])
        assert delivery["status"] == "pending"
        assert "doesn't match 'someone-else.test'" in delivery["attempts"][0]["error"]
    finally:
        server.stop()
