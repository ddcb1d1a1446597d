"""A practitioner's reminder offsets and online meeting link, through the profile API."""

import pytest
from django.db import IntegrityError, transaction

from directory.models import PractitionerProfile

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/me/profile/"


def test_offsets_default_to_a_day_and_two_hours_and_can_be_changed(practitioner_api):
    assert practitioner_api.get(PROFILE).json()["reminder_offsets_minutes"] == [1440, 120]

    response = practitioner_api.patch(
        PROFILE, {"reminder_offsets_minutes": [15, 10080, 60]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["reminder_offsets_minutes"] == [10080, 60, 15]  # largest first
    assert practitioner_api.get(PROFILE).json()["reminder_offsets_minutes"] == [10080, 60, 15]

    off = practitioner_api.patch(PROFILE, {"reminder_offsets_minutes": []}, format="json")
    assert off.status_code == 200 and off.json()["reminder_offsets_minutes"] == []


@pytest.mark.parametrize(
    "offsets",
    [
        [14],  # below 15 minutes
        [10081],  # beyond a week
        [0],
        [-60],
        [1440, 120, 60, 30],  # more than 3
        [120, 120],  # not distinct
        [60.5],  # not integers
        [60.0],
        ["60"],
        [True],
        [None],
        [[60]],
        "1440",  # not a list
        1440,
        {"minutes": 60},
        None,
    ],
)
def test_bad_offsets_are_400_with_a_stable_code(practitioner_api, offsets):
    response = practitioner_api.patch(PROFILE, {"reminder_offsets_minutes": offsets}, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "reminder_offsets_invalid"
    assert body["fields"]["reminder_offsets_minutes"]
    assert practitioner_api.get(PROFILE).json()["reminder_offsets_minutes"] == [1440, 120]


@pytest.mark.parametrize(
    "offsets", [[14], [10081], [1440, 120, 60, 30], ["60"]], ids=["low", "high", "four", "text"]
)
def test_the_database_refuses_offsets_out_of_range_too(practitioner_user, offsets):
    profile = practitioner_user.practitioner_profile
    with pytest.raises(IntegrityError), transaction.atomic():
        PractitionerProfile.objects.filter(pk=profile.pk).update(reminder_offsets_minutes=offsets)
    PractitionerProfile.objects.filter(pk=profile.pk).update(reminder_offsets_minutes=[15, 10080])


def test_online_meeting_link_is_set_on_the_profile_and_stays_private(
    practitioner_api, practitioner_user, api_client
):
    assert practitioner_api.get(PROFILE).json()["online_meeting_url"] is None
    link = "https://meet.example.org/mira-lind"
    response = practitioner_api.patch(PROFILE, {"online_meeting_url": link}, format="json")
    assert response.status_code == 200 and response.json()["online_meeting_url"] == link
    profile = practitioner_user.practitioner_profile
    public = api_client.get(f"/api/v1/practitioners/{profile.slug}/")
    assert link not in public.content.decode()

    bad = practitioner_api.patch(PROFILE, {"online_meeting_url": "not a link"}, format="json")
    assert bad.status_code == 400 and "online_meeting_url" in bad.json()["fields"]

    cleared = practitioner_api.patch(PROFILE, {"online_meeting_url": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["online_meeting_url"] is None
    profile.refresh_from_db()
    assert profile.online_meeting_url == ""
