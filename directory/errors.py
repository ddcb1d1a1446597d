"""Domain errors of directory; core.errors.exception_handler maps them to HTTP."""

from core.errors import ApplicationError, Conflict, ServiceUnavailable


class LocationRequired(ApplicationError):
    code = "location_required"
    message = "Ordering by distance needs `near` or `location`."


class AddressNotFound(ApplicationError):
    code = "address_not_found"
    message = "The address could not be found."


class GeocoderUnavailable(ServiceUnavailable):
    code = "geocoder_unavailable"
    message = "The geocoding service is unavailable; try again shortly."


class ProfileIncomplete(Conflict):
    code = "profile_incomplete"
    message = "The profile cannot be published yet."


class ReminderOffsetsInvalid(ApplicationError):
    code = "reminder_offsets_invalid"
    message = (
        "`reminder_offsets_minutes` takes at most 3 distinct whole numbers of minutes, "
        "each from 15 to 10080."
    )
