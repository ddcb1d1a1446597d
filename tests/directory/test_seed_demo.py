import zoneinfo
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from directory.geo import Point
from directory.models import AvailabilityRule, Location, PractitionerProfile, Service
from directory.selectors import practitioner_search
from directory.services import search_card_refresh
from reviews.models import PractitionerRating

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_searchable_practitioners(api_client):
    out = StringIO()
    call_command("seed_demo", practitioners=40, seed=3, batch_size=15, stdout=out)
    assert "40/40" in out.getvalue() and "15/40" in out.getvalue()  # progress per batch
    profiles = PractitionerProfile.objects.all()
    assert profiles.count() == 40 and not profiles.filter(is_published=False).exists()
    assert Location.objects.count() >= 40 and Service.objects.count() >= 40
    assert AvailabilityRule.objects.values("practitioner").distinct().count() == 40
    for profile in profiles:
        assert 1 <= profile.locations.count() <= 2
        assert 1 <= profile.services.count() <= 3
        assert profile.modalities.exists() and profile.languages
        assert profile.timezone in zoneinfo.available_timezones()
        seeded_card = profile.search_card
        search_card_refresh(profile=profile)  # what directory.services would have built
        assert seeded_card == profile.search_card and seeded_card["locations"]
    assert not PractitionerRating.objects.exists()  # ratings come from reviews alone
    user = User.objects.get(practitioner_profile=profiles.first())
    assert user.check_password("demo-practitioner")

    # Everyone is found near their own location, through the API too.
    location = Location.objects.first()
    found = practitioner_search(
        point=Point(location.latitude, location.longitude),
        radius_km=1,
    )
    assert location.practitioner_id in {p.pk for p in found}
    response = api_client.get(
        "/api/v1/practitioners/", {"near": f"{location.latitude},{location.longitude}"}
    )
    assert str(location.practitioner_id) in {r["id"] for r in response.json()["results"]}


def test_seed_demo_if_empty_and_second_run(api_client):
    call_command("seed_demo", practitioners=5, stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", practitioners=5, if_empty=True, stdout=out)
    assert "nothing to do" in out.getvalue()
    call_command("seed_demo", practitioners=5, stdout=StringIO())  # no unique clashes
    assert PractitionerProfile.objects.count() == 10


def test_rebuild_search_cards_repairs_every_card_batch_by_batch():
    call_command("seed_demo", practitioners=7, seed=5, stdout=StringIO())
    built = dict(PractitionerProfile.objects.values_list("pk", "search_card"))
    # Cards left stale by writes around directory.services (an old release's servers).
    PractitionerProfile.objects.update(search_card={})
    Service.objects.filter(practitioner_id=next(iter(built))).update(is_active=False)
    out = StringIO()
    call_command("rebuild_search_cards", batch_size=3, stdout=out)
    assert "3 profiles" in out.getvalue() and "done, 7 profiles" in out.getvalue()
    rebuilt = dict(PractitionerProfile.objects.values_list("pk", "search_card"))
    first = next(iter(built))
    assert rebuilt[first]["cheapest"] == {} and rebuilt[first]["locations"]
    assert {pk: card for pk, card in rebuilt.items() if pk != first} == {
        pk: card for pk, card in built.items() if pk != first
    }
