"""The texts reviews send: the practitioner's e-mail when a review of them is published.

Like every booking text (bookings.texts) it says when the reviewed session was, in the
practitioner's local time with its zone, where, and links to the booking.
"""

from __future__ import annotations

from dataclasses import asdict

from bookings.texts import booking_facts

EXCERPT_CHARS = 300

REVIEW_APPROVED_SUBJECT = "A review of your {service} on {date} is public"
REVIEW_APPROVED_BODY = """\
Hello {practitioner},

A review of your practice was approved and is now shown on your profile.

Session: {service}, {when}
Where:   {place}
Rating:  {rating} of 5
{excerpt}

You can reply to it (once, and edit that reply) from your account.
The booking: {manage_url}
"""


def review_approved_email(*, review) -> tuple[str, str]:
    """(subject, body); needs the review with booking__client, booking__practitioner__user,
    booking__service and booking__location loaded."""
    facts = asdict(booking_facts(review.booking))
    text = review.text
    excerpt = text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 3] + "..."
    return (
        REVIEW_APPROVED_SUBJECT.format(**facts),
        REVIEW_APPROVED_BODY.format(rating=review.rating, excerpt=excerpt, **facts),
    )
