"""What a booking copies from its service and the service's location: the booking shows
these, so that a renamed, moved or deleted service never rewrites a booking's history."""

from __future__ import annotations

from directory.models import Service


def service_snapshot(service: Service) -> dict:
    """The Booking fields copied from `service` (and its location, if in person)."""
    location = service.location if service.location_id else None
    return {
        "service_name": service.name,
        "service_mode": service.mode,
        "duration_minutes": service.duration_minutes,
        "location_id": service.location_id,
        "location_name": location.name if location else "",
        "location_address": location.address if location else "",
        "location_latitude": location.latitude if location else None,
        "location_longitude": location.longitude if location else None,
    }
