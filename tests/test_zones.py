"""The writer's own clock: a zone per account, detected at sign-up, used for every date."""

import datetime
import uuid
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from dreams import zones
from dreams.models import Profile

SIGNUP = {
    "username": "kiri",
    "password1": "owls in the attic 31",
    "password2": "owls in the attic 31",
}


def local_today(name: str) -> datetime.date:
    return datetime.datetime.now(zoneinfo.ZoneInfo(name)).date()


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati"])
def test_sign_up_takes_the_browsers_zone_and_the_form_starts_on_the_writers_today(client, db, zone):
    client.post(reverse("signup"), {**SIGNUP, "time_zone": zone})
    assert Profile.objects.get(user__username="kiri").time_zone == zone
    form = client.get(reverse("dreams:new")).context["form"]
    assert form.initial["dreamt_on"] == local_today(zone)


def test_a_zone_that_is_not_iana_falls_back_to_utc_with_a_note(client, db):
    client.post(reverse("signup"), {**SIGNUP, "time_zone": "Mars/Olympus_Mons"})
    profile = Profile.objects.get()
    assert (profile.time_zone, profile.unknown_zone) == ("UTC", "Mars/Olympus_Mons")
    page = client.get(reverse("account")).content.decode()
    assert "“Mars/Olympus_Mons”, which Somnia does not know" in page
    # Choosing one on the account page clears the note.
    client.post(reverse("time_zone"), {"time_zone": "Europe/Lisbon"})
    assert "Somnia does not know" not in client.get(reverse("account")).content.decode()
    assert Profile.objects.get().time_zone == "Europe/Lisbon"


def test_without_javascript_sign_up_is_on_utc(client, db):
    client.post(reverse("signup"), SIGNUP)
    profile = Profile.objects.get()
    assert (profile.time_zone, profile.unknown_zone) == ("UTC", "")


def test_the_account_page_changes_the_zone_for_this_session_at_once(client, user):
    client.force_login(user)
    assert zones.zone_of(user) == "UTC"
    response = client.post(reverse("time_zone"), {"time_zone": "Asia/Tokyo", "next": "/trash/"})
    assert response.url == "/trash/"
    form = client.get(reverse("dreams:new")).context["form"]
    assert form.initial["dreamt_on"] == local_today("Asia/Tokyo")
    bad = client.post(reverse("time_zone"), {"time_zone": "Nowhere", "next": "https://evil.test/"})
    assert bad.url == reverse("account") and zones.zone_of(user) == "UTC"


def test_draft_saved_at_is_the_writers_time(client, user):
    zones.set_zone(user=user, reported="America/Los_Angeles")
    client.force_login(user)
    response = client.post(
        reverse("dreams:autosave_new"), {"draft_key": str(uuid.uuid4()), "body": "A fox"}
    )
    shown = response.context["saved_at"]
    assert (
        shown.utcoffset()
        == datetime.datetime.now(zoneinfo.ZoneInfo("America/Los_Angeles")).utcoffset()
    )
    assert shown.strftime("%H:%M:%S") in response.text


def test_a_future_date_is_judged_by_the_writers_today(client, user):
    zones.set_zone(user=user, reported="Pacific/Kiritimati")  # UTC+14: already tomorrow
    client.force_login(user)
    tomorrow_there = local_today("Pacific/Kiritimati") + datetime.timedelta(days=1)
    client.post(
        reverse("dreams:new"),
        {"body": "Dawn first.", "dreamt_on": tomorrow_there.isoformat(), "visibility": "private"},
    )
    assert user.dreams.get().dreamt_on == tomorrow_there  # a day's grace, from their today


def test_visitors_are_on_utc(client, user):
    zones.set_zone(user=user, reported="Asia/Tokyo")
    client.get("/")
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_trash_shows_when_on_the_writers_clock(client, user, make_dream):
    from dreams import entries

    zones.set_zone(user=user, reported="Asia/Tokyo")
    dream = make_dream(user)
    entries.trash(dream)
    dream.refresh_from_db()
    client.force_login(user)
    there = timezone.localtime(dream.deleted_at, zoneinfo.ZoneInfo("Asia/Tokyo"))
    html = client.get(reverse("dreams:trash")).content.decode()
    assert there.strftime("%H:%M") in html and there.isoformat()[:19] in html


def test_a_request_leaves_the_thread_on_the_default_zone(client, user):
    # The zone is the request's: code that runs after it in the same thread (the next test,
    # a command) must not find itself on a writer's day that is already tomorrow in UTC.
    zones.set_zone(user=user, reported="Pacific/Kiritimati")
    client.force_login(user)
    client.get(reverse("dreams:new"))
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_streamed_answer_is_made_on_the_writers_day(rf, user):
    # An import's progress is streamed: its work runs as the answer is sent, after the
    # middleware has returned, and must still date things by the writer's today.
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import StreamingHttpResponse

    from dreams.middleware import WriterTimeZoneMiddleware

    zones.set_zone(user=user, reported="Pacific/Kiritimati")

    def stream(request):
        return StreamingHttpResponse(timezone.get_current_timezone_name() for _ in range(2))

    request = rf.get("/")
    request.user, request.session = user, SessionStore()
    response = WriterTimeZoneMiddleware(stream)(request)
    assert timezone.get_current_timezone_name() == "UTC"
    assert b"".join(response.streaming_content) == b"Pacific/Kiritimati" * 2
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_zone_menu_lists_the_regions_zones_and_the_accounts_own():
    names = [name for name, _ in zones.zone_choices()]
    assert names[0] == "UTC" and "Asia/Tokyo" in names and "America/Los_Angeles" in names
    assert not {"localtime", "posixrules", "Factory", "US/Pacific", "Etc/GMT+5"} & set(names)
    if zones.listed_zones():  # the machine's tz database has its zone.tab: old names go
        assert "Asia/Kolkata" in names and "Europe/Amsterdam" in names
        assert not {"Asia/Calcutta", "Europe/Kiev", "Asia/Saigon"} & set(names)
    assert "US/Pacific" in [name for name, _ in zones.zone_choices("US/Pacific")]
