"""Automatic flags: what each check catches, and what it must leave alone."""

import pytest

from bookings.models import BookingStatus
from reviews.flags import detect_flags, profanity_words
from reviews.models import ReviewFlag
from tests.factories import client_for, make_booking

CALM = "A calm, careful session; my back pain eased within a week."


def codes(text):
    return [flag.code for flag in detect_flags(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CALM, []),
        ("Book directly at https://mira-lind.example/book instead, cheaper!", ["link"]),
        ("Her own site www.miralind.de has better prices than here.", ["link"]),
        ("Look up miralind.com for the home visits she offers.", ["link"]),
        ("Write to mira.lind+private@gmail.com for a discount ok", ["email"]),
        ("Write to mira (at) gmail (dot) com for a discount ok", ["email"]),
        ("Call me on +49 170 1234567 for private sessions please", ["phone"]),
        ("Ring 030/123 45 678 any time, she answers in the evening", ["phone"]),
        ("Went on 12.05.2024 and again 2024-06-01, both times great.", []),
        ("Paid 90 euros for 60 minutes and it was worth every cent.", []),
        ("What a shit experience, she was late and rude to me.", ["profanity"]),
        ("What a sh1t experience, she was late and rude to me.", ["profanity"]),
        ("The Scunthorpe practice was cocky but classy and assorted.", []),
        ("THE BEST THERAPIST IN TOWN, GO NOW!!!", ["shouting"]),
        ("I felt GREAT afterwards and my NECK is finally free again.", []),
        ("ok", ["too_short"]),
        ("", ["too_short"]),
        ("THIS WAS SO CRAP!", ["profanity", "shouting", "too_short"]),
        (
            "Mail x@y.org or call 0170 1234567, see http://a.io FUCK",
            ["email", "link", "phone", "profanity"],
        ),
    ],
)
def test_detect_flags(text, expected):
    assert codes(text) == expected


def test_word_list_is_data_in_the_app():
    words = profanity_words()
    assert "shit" in words
    assert all(word == word.strip().lower() and not word.startswith("#") for word in words)


@pytest.mark.django_db
def test_submission_stores_flags_for_moderators(practice, reviewer, moderator):
    _, _, service = practice
    booking = make_booking(client=reviewer, service=service, status=BookingStatus.COMPLETED)
    response = client_for(reviewer).post(
        f"/api/v1/bookings/{booking.pk}/review/",
        {"rating": 1, "text": "AWFUL SESSION, WRITE TO ME AT anna@example.org FOR THE TRUTH"},
    )
    assert response.status_code == 201
    # Flags help moderators only; the author does not see them, and they decide nothing.
    assert "flags" not in response.json()
    assert response.json()["status"] == "pending"
    stored = ReviewFlag.objects.filter(review_id=response.json()["id"])
    assert sorted(stored.values_list("code", flat=True)) == ["email", "shouting"]
    queue = client_for(moderator).get("/api/v1/moderation/reviews/").json()["results"]
    assert queue[0]["flags"] == [
        {"code": "email", "detail": "anna@example.org"},
        {"code": "shouting", "detail": ""},
    ]
