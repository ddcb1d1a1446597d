"""What accounts tells the apps above it: the only way the ground floor reaches them.

accounts imports no other app. An app that must act when someone registers or deletes
the account connects a receiver to one of these signals in its AppConfig.ready().

Every signal is sent with `Signal.send`, never `send_robust`, inside the durable
transaction of the accounts service that sends it: an exception raised by a receiver
rolls back the whole transaction (the user row included) and reaches the caller, so an
ApplicationError becomes the HTTP response. Each is sent with `sender=User` and one
keyword argument, `user`; receivers take `(sender, *, user, **kwargs)`.

user_registered
    Sent by `accounts.services.user_register` once the new user row is saved.
    Receivers create what a new user of a role starts with (directory: the
    practitioner's unpublished profile).

account_deletion_requested
    Sent first by `accounts.services.user_delete`, before anything changes. A receiver
    refuses the deletion by raising an ApplicationError (bookings: Conflict
    "open_bookings" while the user has bookings still to happen or to be paid); it must
    not write. Every receiver of this signal has run before any receiver of
    `account_deleting`, whatever order the apps were loaded in. A check sees the data
    as of its query: it holds until the commit only if the receiver locks what it read.

account_deleting
    Sent once every check passed, before the user row is anonymised (receivers still
    see the name and e-mail). Receivers retire what the user owned (directory: the
    profile leaves the directory). Records are kept: a receiver deletes no history
    (bookings, payments, reviews, the profile row); it may delete personal data that is
    no record (directory: the practitioner's photos).
"""

from django.dispatch import Signal

user_registered = Signal()
account_deletion_requested = Signal()
account_deleting = Signal()
