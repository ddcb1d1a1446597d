"""The directory's part in the account lifecycle (contract: accounts.signals).

Connected in DirectoryConfig.ready(); each runs inside the accounts service's transaction.
"""

from accounts.models import User
from directory.services import profile_close_for_deleted_account, profile_create_for_practitioner


def create_practitioner_profile(sender, *, user: User, **kwargs) -> None:
    """user_registered: a practitioner starts with an unpublished profile."""
    if user.is_practitioner:
        profile_create_for_practitioner(user=user)


def close_practitioner_profile(sender, *, user: User, **kwargs) -> None:
    """account_deleting: the practitioner leaves the directory; the profile row stays."""
    if user.is_practitioner:
        profile_close_for_deleted_account(user=user)
