"""Domain errors of directory; core.errors.exception_handler maps them to HTTP."""

from core.errors import ApplicationError, Conflict, NotFound, ServiceUnavailable


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


class QueryTooLong(ApplicationError):
    code = "query_too_long"
    message = "`q` has at most 200 characters."


class QueryTooManyWords(ApplicationError):
    code = "query_too_many_words"
    message = "`q` has at most 8 words."


class UnknownFacet(ApplicationError):
    code = "unknown_facet"
    message = "Unknown facet."


class ReminderOffsetsInvalid(ApplicationError):
    code = "reminder_offsets_invalid"
    message = (
        "`reminder_offsets_minutes` takes at most 3 distinct whole numbers of minutes, "
        "each from 15 to 10080."
    )


# --- Photos (directory.photos): each refusal of an upload has its own code ------------


class ImageInvalid(ApplicationError):
    code = "image_invalid"
    message = "The file is not a readable JPEG, PNG or WebP image."


class ImageTypeUnsupported(ApplicationError):
    code = "image_type_unsupported"
    message = "This image type is not accepted; upload a JPEG, PNG or WebP image."


class ImageTooLarge(ApplicationError):
    code = "image_too_large"
    message = "The image file is too large."


class ImageDimensionsTooLarge(ApplicationError):
    code = "image_dimensions_too_large"
    message = "The image has too many pixels."


class PhotoLimitReached(Conflict):
    code = "photo_limit_reached"
    message = "This location has as many photos as allowed; delete one first."


class PhotoNotFound(NotFound):
    code = "photo_not_found"
    message = "No such photo."


class MediaStorageUnavailable(ServiceUnavailable):
    code = "media_storage_unavailable"
    message = "Photos cannot be stored right now; try again shortly."
