from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, renderers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPractitioner
from bookings import availability, selectors, services
from bookings.filters import BookingFilter
from bookings.ics import CONTENT_TYPE as ICS_CONTENT_TYPE
from bookings.ics import calendar_bytes
from bookings.models import Booking, CalendarFeedToken
from bookings.serializers import (
    BookingCancelSerializer,
    BookingCreateSerializer,
    BookingRescheduleSerializer,
    BookingSerializer,
    CalendarFeedSerializer,
    SlotsQuerySerializer,
    SlotsSerializer,
)


def _booking_context(request) -> dict:
    """Serializer context: who reads (the client fields and `payment` depend on it) and
    one clock for every booking of the response."""
    return {"request": request, "viewer": request.user, "now": timezone.now()}


def _booking_response(request, booking, **kwargs) -> Response:
    return Response(BookingSerializer(booking, context=_booking_context(request)).data, **kwargs)


class SlotsView(APIView):
    """Free slots of one service, for booking.

    `from` and `to` are days in the zone `tz` (an IANA name such as America/New_York;
    without it, the practitioner's zone): every slot starting on those days, at most 62
    days. `start`/`end` are in that zone with its UTC offset (DST-correct per slot),
    `start_utc`/`end_utc` the same instants in UTC. Book a slot by sending its `start`
    (or `start_utc`) as it is. 400 `timezone_invalid` for an unknown `tz`.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("service", OpenApiTypes.UUID, required=True),
            OpenApiParameter(
                "from", OpenApiTypes.DATE, required=True, description="First day, in `tz`."
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, required=True, description="Last day, in `tz`."
            ),
            OpenApiParameter(
                "tz",
                OpenApiTypes.STR,
                description="IANA time zone of the days and of `start`/`end` "
                "(default: the practitioner's).",
            ),
            OpenApiParameter(
                "id", OpenApiTypes.STR, OpenApiParameter.PATH, description="UUID or slug"
            ),
        ],
        responses={
            200: SlotsSerializer,
            400: OpenApiResponse(
                description="`invalid` with field errors (a window reversed, longer than 62 "
                "days or outside the horizon); `timezone_invalid`: `tz` is not an IANA name"
            ),
        },
    )
    def get(self, request, id):
        query = SlotsQuerySerializer(data=request.query_params)
        if not query.is_valid():
            selectors.published_practitioner_get(id_or_slug=id)  # an unknown one is still 404
            query.is_valid(raise_exception=True)
        service = selectors.bookable_service_of(
            id_or_slug=id, service_id=query.validated_data["service"]
        )
        practitioner = service.practitioner
        zone = query.validated_data.get("tz") or ZoneInfo(practitioner.timezone)
        slots = availability.practitioner_slots_on_days(
            practitioner=practitioner,
            service=service,
            date_from=query.validated_data["from"],
            date_to=query.validated_data["to"],
            zone=zone,
        )
        # Hand-formatted: a 62-day window has hundreds of slots (whole minutes, so
        # isoformat has no fraction; UTC as DRF writes it, with "Z").
        return Response(
            {
                "timezone": practitioner.timezone,
                "tz": zone.key,
                "slots": [
                    {
                        "start": s.start.astimezone(zone).isoformat(),
                        "end": s.end.astimezone(zone).isoformat(),
                        "start_utc": s.start.isoformat()[:19] + "Z",
                        "end_utc": s.end.isoformat()[:19] + "Z",
                    }
                    for s in slots
                ],
            }
        )


class BookingListCreateView(generics.ListAPIView):
    serializer_class = BookingSerializer
    filterset_class = BookingFilter

    def get_throttles(self):
        self.throttle_scope = "booking" if self.request.method == "POST" else None
        return super().get_throttles()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        return selectors.bookings_listed_for(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_booking_context(self.request)}

    @extend_schema(
        request=BookingCreateSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={
            201: BookingSerializer,
            200: BookingSerializer,
            400: OpenApiResponse(
                description="`invalid` with field errors; `timezone_required`: `start` has "
                "no UTC offset"
            ),
        },
    )
    def post(self, request):
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking, created = services.booking_create_idempotent(
            client=request.user,
            service=selectors.service_for_booking(service_id=data.validated_data["service"]),
            start=data.validated_data["start"],
            idempotency_key=request.headers.get("Idempotency-Key") or None,
            fingerprint=services.request_fingerprint(request.data),
        )
        return _booking_response(
            request, booking, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class BookingDetailView(APIView):
    @extend_schema(responses=BookingSerializer)
    def get(self, request, pk):
        booking = selectors.booking_get_for_party(user=request.user, booking_id=pk)
        return _booking_response(request, booking)


class _BookingActionView(APIView):
    action_service = None

    @extend_schema(request=None, responses=BookingSerializer)
    def post(self, request, pk):
        booking = selectors.booking_get_for_party(user=request.user, booking_id=pk)
        booking = type(self).action_service(booking=booking, by=request.user)
        return _booking_response(request, booking)


class BookingPayView(APIView):
    """Pay for a booking that is waiting for its payment (`pending_payment`).

    Returns the booking with its `payment` block, as booking creation does; the
    payment is started now if it was not yet, and asking again returns the same one.
    Only the booking's client may pay. 409 `booking_not_pending_payment` when the
    booking is not waiting for a payment, 409 `hold_expired` when its hold has lapsed
    (book again), 503 `payment_provider_unavailable` when the payment provider cannot
    be reached (the hold stays until it lapses: try again).
    """

    throttle_scope = "booking"

    @extend_schema(request=None, responses=BookingSerializer)
    def post(self, request, pk):
        booking = selectors.booking_get_for_party(user=request.user, booking_id=pk)
        booking = services.booking_payment_resume(booking=booking, by=request.user)
        return _booking_response(request, booking)


class BookingCancelView(APIView):
    """Cancel a held or confirmed booking (either party), optionally saying why.

    The client gets the practitioner's policy refund: all of it when the practitioner
    cancels or the client cancels before the cancellation window; otherwise the late
    percentage. The booking then shows `cancelled_by`, `cancellation_reason` and `refund`.
    """

    @extend_schema(
        request=BookingCancelSerializer,
        responses={
            200: BookingSerializer,
            400: OpenApiResponse(description="`invalid`: `reason` over 500 characters"),
        },
    )
    def post(self, request, pk):
        booking = selectors.booking_get_for_party(user=request.user, booking_id=pk)
        data = BookingCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_cancel(
            booking=booking, by=request.user, reason=data.validated_data.get("reason", "")
        )
        return _booking_response(request, booking)


class BookingCompleteView(_BookingActionView):
    action_service = services.booking_complete


class BookingNoShowView(_BookingActionView):
    action_service = services.booking_mark_no_show


class BookingRescheduleView(APIView):
    @extend_schema(
        request=BookingRescheduleSerializer,
        responses={
            200: BookingSerializer,
            400: OpenApiResponse(
                description="`invalid` with field errors; `timezone_required`: `start` has "
                "no UTC offset"
            ),
        },
    )
    def post(self, request, pk):
        booking = selectors.booking_get_for_party(user=request.user, booking_id=pk)
        data = BookingRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_reschedule(
            booking=booking, by=request.user, start=data.validated_data["start"]
        )
        return _booking_response(request, booking)


class ICalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        # Errors: a short text body is all a calendar app can use.
        return str(data.get("detail", data) if isinstance(data, dict) else data).encode()


def _ics_response(user) -> HttpResponse:
    bookings = selectors.practitioner_upcoming_bookings(user=user, now=timezone.now())
    body = calendar_bytes(bookings, method=None, timezone=user.practitioner_profile.timezone)
    response = HttpResponse(body, content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="stillpoint.ics"'
    return response


class MyCalendarView(APIView):
    permission_classes = [IsAuthenticated, IsPractitioner]
    renderer_classes = [renderers.JSONRenderer, ICalendarRenderer]

    @extend_schema(
        responses={
            (200, "text/calendar"): OpenApiTypes.STR,
            404: OpenApiResponse(description="Unknown `format`."),
        }
    )
    def get(self, request):
        return _ics_response(request.user)


class MyCalendarFeedView(APIView):
    """The secret feed URL for calendar apps; POST replaces the secret."""

    permission_classes = [IsAuthenticated, IsPractitioner]

    def _url(self, request, token: CalendarFeedToken) -> str:
        path = reverse("calendar-feed", kwargs={"token": token.token})
        return request.build_absolute_uri(path)

    @extend_schema(responses=CalendarFeedSerializer)
    def get(self, request):
        token = services.calendar_feed_token_get_or_create(user=request.user)
        return Response({"url": self._url(request, token)})

    @extend_schema(request=None, responses=CalendarFeedSerializer)
    def post(self, request):
        token = services.calendar_feed_token_rotate(user=request.user)
        return Response({"url": self._url(request, token)})


class CalendarFeedView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [renderers.JSONRenderer, ICalendarRenderer]

    @extend_schema(auth=[], responses={(200, "text/calendar"): OpenApiTypes.STR})
    def get(self, request, token):
        return _ics_response(selectors.calendar_feed_owner(token=token))
