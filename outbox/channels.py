"""The registry of channels: each delivers one kind of outbox message.

A channel is registered once, in its app's AppConfig.ready(). Its `open()` returns a
context manager yielding a `send(message)` callable, so one batch can share a
connection (one SMTP session for many e-mails). `send` returns on success, raises
`outbox.errors.DeliveryFailed` to retry later or `DeliveryRejected` to give up.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from outbox.models import OutboxMessage

Send = Callable[["OutboxMessage"], None]


class Channel(Protocol):
    def open(self) -> AbstractContextManager[Send]: ...


_channels: dict[str, Channel] = {}


def register(name: str, channel: Channel) -> None:
    _channels[name] = channel


def get(name: str) -> Channel | None:
    return _channels.get(name)


def names() -> list[str]:
    return sorted(_channels)
