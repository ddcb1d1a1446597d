"""Webhook tests: a real receiver on loopback, a name table instead of DNS, and a guard
that fails any connection leaving the machine."""

import ipaddress
import socket

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from devtools.webhook_receiver import Receiver
from tests.factories import client_for, make_user

# Public addresses for URLs that are checked but never delivered to (the guard enforces it).
PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


@pytest.fixture(autouse=True)
def _only_loopback(monkeypatch):
    connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and not ipaddress.ip_address(host.split("%")[0]).is_loopback:
            raise AssertionError(f"a test tried to connect to {address}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


class NameTable:
    """getaddrinfo for the names a test gives; IP literals and localhost as usual;
    any other name does not resolve (no test asks a real DNS server)."""

    def __init__(self, real):
        self.real = real
        self.names: dict[str, list] = {}
        self.lookups: list[str] = []

    def __call__(self, host, port, *args, **kwargs):
        host = host.decode() if isinstance(host, bytes) else host
        if host in self.names:
            self.lookups.append(host)
            answers = self.names[host]
            addresses = answers.pop(0) if len(answers) > 1 else answers[0]
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    socket.SOCK_STREAM,
                    socket.IPPROTO_TCP,
                    "",
                    (address, port or 0, 0, 0) if ":" in address else (address, port or 0),
                )
                for address in addresses
            ]
        try:
            ipaddress.ip_address(str(host).split("%")[0])
        except ValueError:
            if host != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return self.real(host, port, *args, **kwargs)

    def add(self, host: str, *answers: list[str]) -> None:
        """Each lookup of `host` takes the next answer; the last one stays."""
        self.names[host] = list(answers)


@pytest.fixture(autouse=True)
def names(monkeypatch):
    table = NameTable(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", table)
    return table


@pytest.fixture
def private_networks(settings):
    """The local receiver is on 127.0.0.1: private addresses (and http) allowed."""
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def public_only(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def staff_user(db):
    return make_user(role=Role.CLIENT, is_staff=True)


@pytest.fixture
def staff_api(staff_user):
    return client_for(staff_user)


@pytest.fixture
def anonymous_api():
    return APIClient()
