"""Practitioners, locations and services in the admin: lists, read-only details, and
publish/unpublish through directory.services with the API's rules."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from accounts.models import User
from directory.models import Location, PractitionerProfile, Service
from tests.factories import (
    admin_client_for,
    make_location,
    make_practitioner,
    make_service,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db

PRACTITIONERS = "/admin/directory/practitionerprofile/"
LOCATIONS = "/admin/directory/location/"
SERVICES = "/admin/directory/service/"


def act(browser, action, profiles):
    return browser.post(
        PRACTITIONERS,
        {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in profiles]},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def published(profile) -> bool:
    return PractitionerProfile.objects.values_list("is_published", flat=True).get(pk=profile.pk)


def listed_locations(profile) -> set[bool]:
    return set(Location.objects.filter(practitioner=profile).values_list("is_listed", flat=True))


def public_profile_status(api_client, profile) -> int:
    return api_client.get(f"/api/v1/practitioners/{profile.slug}/").status_code


def listed(browser, url, **params):
    response = browser.get(url, params)
    assert response.status_code == 200
    return response


def test_the_practitioner_list_filters_and_searches(admin_client):
    mira, mira_profile, _ = make_practitioner(name="Mira Lind")
    _, jon_profile, _ = make_practitioner(name="Jon Quiet", published=False)

    page = listed(admin_client, PRACTITIONERS)
    assert {p.pk for p in page.context["cl"].result_list} == {mira_profile.pk, jon_profile.pk}
    assert mira.email in page.content.decode()
    only_published = listed(admin_client, PRACTITIONERS, is_published__exact="1")
    assert [p.pk for p in only_published.context["cl"].result_list] == [mira_profile.pk]
    by_email = listed(admin_client, PRACTITIONERS, q=mira.email)
    assert [p.pk for p in by_email.context["cl"].result_list] == [mira_profile.pk]
    by_name = listed(admin_client, PRACTITIONERS, q="jon qu")
    assert [p.pk for p in by_name.context["cl"].result_list] == [jon_profile.pk]


def test_the_practitioner_detail_is_read_only_with_its_locations_and_services(admin_client):
    _, profile, service = make_practitioner(name="Mira Lind", published=False)
    online = make_service(profile, name="Online check-in", price_amount=4550, currency="CHF")
    url = f"{PRACTITIONERS}{profile.pk}/change/"

    page = admin_client.get(url)

    assert page.status_code == 200
    text = page.content.decode()
    for shown in (service.location.name, service.name, "€90.00", online.name, "CHF\u00a045.50"):
        assert shown in text, shown
    assert 'name="is_published"' not in text
    admin_client.post(url, {"is_published": "on", "display_name": "Changed"})
    profile.refresh_from_db()
    assert (profile.is_published, profile.display_name) == (False, "Mira Lind")
    assert admin_client.get(f"{PRACTITIONERS}add/").status_code == 403
    assert admin_client.get(f"{PRACTITIONERS}{profile.pk}/delete/").status_code == 403


def test_publish_goes_through_the_service(admin_client, api_client):
    _, profile, _ = make_practitioner(name="Mira Lind", published=False)
    assert public_profile_status(api_client, profile) == 404

    response = act(admin_client, "publish_selected", [profile])

    assert "1 practitioner profile published." in messages_of(response)
    assert published(profile)
    assert listed_locations(profile) == {True}  # in the geo search again
    assert public_profile_status(api_client, profile) == 200


def test_publish_keeps_the_rules_of_the_api(admin_client):
    _, unverified, _ = make_practitioner(name="Una Verified", published=False)
    User.objects.filter(pk=unverified.user_id).update(email_verified_at=None)
    incomplete = make_user(role="practitioner", name="Ivo Incomplete").practitioner_profile
    _, ready, _ = make_practitioner(name="Rea Dy", published=False)

    response = act(admin_client, "publish_selected", [unverified, incomplete, ready])

    shown = messages_of(response)
    assert "1 practitioner profile published." in shown
    (refusal,) = [m for m in shown if m.startswith("2 practitioner profiles not published")]
    assert "Una Verified" in refusal and "(email_unverified)" in refusal
    assert "Ivo Incomplete" in refusal and "(profile_incomplete)" in refusal
    assert "active_service" in refusal and "availability_rule" in refusal
    assert not published(unverified) and not published(incomplete)
    assert published(ready)


def test_unpublish_goes_through_the_service(admin_client, api_client):
    _, profile, _ = make_practitioner(name="Mira Lind")
    assert public_profile_status(api_client, profile) == 200

    response = act(admin_client, "unpublish_selected", [profile])

    assert "1 practitioner profile unpublished." in messages_of(response)
    assert not published(profile)
    assert listed_locations(profile) == {False}  # out of the geo search
    assert public_profile_status(api_client, profile) == 404


def test_locations_and_services_are_listed_searchable_and_read_only(admin_client):
    _, mira, service = make_practitioner(name="Mira Lind")
    _, jon, _ = make_practitioner(name="Jon Quiet", city="Munich", latitude=48.1, longitude=11.6)
    studio = make_location(mira, name="Studio Nord", city="Hamburg", latitude=53.55, longitude=10)
    massage = make_service(mira, name="Still massage", location=studio, price_amount=12000)

    locations = listed(admin_client, LOCATIONS)
    assert locations.context["cl"].result_count == 3
    by_city = listed(admin_client, LOCATIONS, q="hamburg")
    assert [loc.pk for loc in by_city.context["cl"].result_list] == [studio.pk]
    by_practitioner = listed(admin_client, LOCATIONS, q="jon quiet")
    assert {loc.practitioner_id for loc in by_practitioner.context["cl"].result_list} == {jon.pk}

    services = listed(admin_client, SERVICES)
    assert services.context["cl"].result_count == 3
    assert "€120.00" in services.content.decode()
    by_name = listed(admin_client, SERVICES, q="still mass")
    assert [s.pk for s in by_name.context["cl"].result_list] == [massage.pk]

    for url, obj in ((LOCATIONS, studio), (SERVICES, service)):
        change = f"{url}{obj.pk}/change/"
        assert admin_client.get(change).status_code == 200
        assert admin_client.post(change, {"name": "Renamed"}).status_code == 403
        assert admin_client.get(f"{url}add/").status_code == 403
        assert admin_client.get(f"{url}{obj.pk}/delete/").status_code == 403
    assert Location.objects.get(pk=studio.pk).name == "Studio Nord"
    assert Service.objects.get(pk=service.pk).name == service.name


def test_non_staff_and_staff_without_rights_are_kept_out(non_staff_browser, db):
    response = non_staff_browser.get(PRACTITIONERS)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    staff = admin_client_for(make_staff())
    for url in (PRACTITIONERS, LOCATIONS, SERVICES):
        assert staff.get(url).status_code == 403
