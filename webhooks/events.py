"""The events a subscription can receive; the apps above publish them.

A subscription with an empty `event_types` list receives every one of them.
`webhook.test` is not subscribable: it is sent only on request, to one subscription.
"""

EVENT_TYPES: dict[str, str] = {
    "booking.created": "A booking was made: pending payment, or confirmed at once when free.",
    "booking.confirmed": "A booking is confirmed (paid, or free).",
    "booking.cancelled": "A booking was cancelled by its client or practitioner.",
    "booking.rescheduled": "A confirmed booking moved to another time.",
    "booking.completed": "The practitioner marked a booking completed.",
    "booking.no_show": "The practitioner marked a booking a no-show.",
    "booking.expired": "An unpaid booking's hold ran out; the slot is free again.",
    "payment.refunded": "A refund of a booking's payment succeeded.",
    "review.published": "A review of the practitioner was approved and is public.",
}

TEST_EVENT = "webhook.test"
