"""Domain errors of bookings; core.errors.exception_handler maps them to HTTP."""

from core.errors import Conflict


class SlotUnavailable(Conflict):
    code = "slot_unavailable"
    message = "That time is not a free slot (any more)."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = "The booking cannot make this change in its current state."


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was already used with a different request body."
