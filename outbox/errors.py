"""What a channel's sender raises when a message was not delivered."""


class DeliveryFailed(Exception):
    """Worth retrying later (a timeout, a 5xx, a refused connection)."""

    def __init__(
        self, reason: str, *, retry_after_seconds: float | None = None, channel_down: bool = False
    ):
        super().__init__(reason)
        self.reason = reason
        self.retry_after_seconds = retry_after_seconds
        # True when the channel itself is unreachable, not just this one message.
        self.channel_down = channel_down


class DeliveryRejected(Exception):
    """Never worth retrying (a malformed address, a subscription that is gone)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
