from django.urls import path

from bookings import views

urlpatterns = [
    path("practitioners/<str:id>/slots/", views.SlotsView.as_view(), name="practitioner-slots"),
    path("bookings/", views.BookingListCreateView.as_view(), name="booking-list"),
    path("bookings/<uuid:pk>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<uuid:pk>/pay/", views.BookingPayView.as_view(), name="booking-pay"),
    path("bookings/<uuid:pk>/cancel/", views.BookingCancelView.as_view(), name="booking-cancel"),
    path(
        "bookings/<uuid:pk>/complete/", views.BookingCompleteView.as_view(), name="booking-complete"
    ),
    path("bookings/<uuid:pk>/no-show/", views.BookingNoShowView.as_view(), name="booking-no-show"),
    path(
        "bookings/<uuid:pk>/reschedule/",
        views.BookingRescheduleView.as_view(),
        name="booking-reschedule",
    ),
    path("me/calendar.ics", views.MyCalendarView.as_view(), name="my-calendar"),
    path("me/calendar-feed/", views.MyCalendarFeedView.as_view(), name="my-calendar-feed"),
    path("calendar/<str:token>.ics", views.CalendarFeedView.as_view(), name="calendar-feed"),
]
