"""Webhooks' part in the account lifecycle (contract: accounts.signals)."""

from accounts.models import User
from webhooks.services import subscriptions_retire_for_account


def retire_subscriptions(sender, *, user: User, **kwargs) -> None:
    """account_deleting: the owner's subscriptions stop; nothing more is sent to them."""
    subscriptions_retire_for_account(user=user)
