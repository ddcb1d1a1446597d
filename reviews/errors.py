"""Domain errors of reviews; core.errors.exception_handler maps them to HTTP."""

from core.errors import Conflict, NotFound, PermissionDenied


class ReviewNotFound(NotFound):
    code = "review_not_found"
    message = "Review not found."


class BookingNotFound(NotFound):
    code = "booking_not_found"
    message = "Booking not found."


class NotBookingClient(PermissionDenied):
    code = "not_booking_client"
    message = "Only the booking's client can review it."


class BookingNotCompleted(Conflict):
    code = "booking_not_completed"
    message = "Only a completed booking can be reviewed."


class ReviewExists(Conflict):
    code = "review_exists"
    message = "This booking has already been reviewed."


class NotReviewedPractitioner(PermissionDenied):
    code = "not_reviewed_practitioner"
    message = "Only the reviewed practitioner can reply."


class ReviewNotApproved(Conflict):
    code = "review_not_approved"
    message = "Only an approved review can be answered or reported."


class OwnReview(PermissionDenied):
    code = "own_review"
    message = "You cannot report your own review."


class AlreadyReported(Conflict):
    code = "already_reported"
    message = "You have already reported this review."
