"""One throttle for every password check: login, the admin's login, password change and
account deletion; per name and address, atomic under concurrency, not aimable at others."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from dreams import accounts

PASSWORD = "a-long dream password"
HOME, STRANGER = "10.0.0.1", "10.0.0.66"


def _login(client, name, password, address=HOME):
    return client.post(
        reverse("login"), {"username": name, "password": password}, REMOTE_ADDR=address
    )


def _fail(client, name, times, address=HOME):
    for _ in range(times):
        assert _login(client, name, "wrong", address).status_code == 200


def test_five_wrong_passwords_lock_the_name_from_that_address(client, user, settings):
    _fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed attempts. Wait 15 minutes, then try again." in html
    assert 'name="username"' in html  # the login form again, with the reason above it
    assert "_auth_user_id" not in client.session


def test_a_stranger_elsewhere_cannot_lock_the_writer_out(client, user, settings):
    _fail(client, "alice", settings.AXES_FAILURE_LIMIT, address=STRANGER)
    for _ in range(3):
        assert _login(client, "alice", PASSWORD, address=STRANGER).status_code == 429
    assert _login(client, "alice", PASSWORD, address=HOME).status_code == 302


def test_other_spellings_of_a_name_count_as_that_name(client, user, settings):
    for name in ("ALICE", "Alice", "ａｌｉｃｅ", " alice", "alice"):
        assert _login(client, name, "wrong").status_code == 200
    assert _login(client, "alice", PASSWORD).status_code == 429


def test_one_address_trying_many_names_is_stopped(client, db, make_user, settings):
    make_user("zoe")
    for n in range(settings.THROTTLE_FAILURES_PER_ADDRESS):
        assert _login(client, f"name{n}", "wrong").status_code == 200
    assert _login(client, "zoe", PASSWORD).status_code == 429
    assert _login(client, "zoe", PASSWORD, address="10.0.0.2").status_code == 302


def test_many_addresses_guessing_one_name_get_one_try_each(client, user, settings):
    for n in range(settings.THROTTLE_FAILURES_PER_NAME):
        assert _login(client, "alice", "wrong", address=f"10.1.0.{n}").status_code == 200
    # Every address that failed for the name is refused, even with the right password...
    assert _login(client, "alice", PASSWORD, address="10.1.0.3").status_code == 429
    # ...while the writer, at an address that never failed, still gets in.
    assert _login(client, "alice", PASSWORD, address=HOME).status_code == 302


def test_the_right_password_forgets_that_addresss_failures(client, user, settings):
    _fail(client, "alice", settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    _fail(client, "alice", settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, user, settings):
    _fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    assert _login(client, "alice", PASSWORD).status_code == 429
    # Tries during the lock neither count nor restart it.
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT
    earlier = AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=earlier - timedelta(seconds=1))
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_no_form_data_is_kept_with_a_failure(client, user):
    _login(client, "alice", "my secret guess")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("alice", HOME)
    assert attempt.post_data == "" and attempt.get_data == ""


def test_the_admin_login_shares_the_throttle(client, db, make_user, settings):
    admin = make_user("keeper")
    get_user_model().objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    _fail(client, "keeper", 2)  # on our own login page...
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):  # ...and the rest on the admin's
        response = client.post(
            "/admin/login/", {"username": "keeper", "password": "wrong"}, REMOTE_ADDR=HOME
        )
        assert response.status_code == 200
    response = client.post(
        "/admin/login/", {"username": "keeper", "password": PASSWORD}, REMOTE_ADDR=HOME
    )
    assert response.status_code == 429
    assert "Too many failed attempts. Wait 15 minutes" in response.content.decode()
    assert "<html" in response.content.decode()  # our friendly page, not a bare line
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/", REMOTE_ADDR=HOME).status_code == 302  # to the login


def test_password_change_checks_the_old_password_under_the_throttle(client, user, settings):
    client.force_login(user)
    url = reverse("password_change")
    new = {"new_password1": "another long dream 42", "new_password2": "another long dream 42"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(url, {"old_password": "wrong", **new}, REMOTE_ADDR=HOME)
        assert response.status_code == 200
        assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(url, {"old_password": PASSWORD, **new}, REMOTE_ADDR=HOME)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # The same lock holds at the login, from the same address.
    assert _login(Client(), "alice", PASSWORD).status_code == 429


def test_deleting_the_account_checks_the_password_under_the_throttle(client, user, settings):
    client.force_login(user)
    url = reverse("delete_account")
    _fail(Client(), "alice", settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(url, {"password": "wrong"}, REMOTE_ADDR=HOME)
    assert response.status_code == 200 and "not your password" in response.content.decode()
    response = client.post(url, {"password": PASSWORD}, REMOTE_ADDR=HOME)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_a_right_password_on_deletion_goes_through(client, user):
    client.force_login(user)
    response = client.post(reverse("delete_account"), {"password": PASSWORD}, REMOTE_ADDR=HOME)
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.1", "6.6.6.6", "10.0.0.1"),  # no proxy: the header is anyone's to write
        (1, "127.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "127.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (1, "127.0.0.1", "", "127.0.0.1"),
        (1, "127.0.0.1", "not-an-address", None),
        (0, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "", "2001:db8:1:2::"),
        (0, "::ffff:192.0.2.7", "", "192.0.2.7"),
    ],
)
def test_the_client_address_behind_proxies(rf, settings, hops, remote, forwarded, expected):
    settings.THROTTLE_FORWARDED_HOPS = hops
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert accounts.client_address(request) == expected


def test_name_key_folds_case_and_width():
    assert accounts.name_key("Ａｌｉｃｅ") == accounts.name_key("ALICE") == "alice"
    assert accounts.name_key("Straße") == accounts.name_key("STRASSE")


@pytest.fixture
def slow_hashes(settings):
    # The real hasher (about 0.3 s a check): a race between looking and counting shows.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def test_thirty_concurrent_wrong_passwords_get_five_checks(
    transactional_db, slow_hashes, make_user, settings
):
    make_user("alice")
    tries = 30
    start = threading.Barrier(tries)
    statuses: list[int] = []

    def attempt() -> None:
        try:
            start.wait()
            statuses.append(_login(Client(), "alice", "wrong").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * settings.AXES_FAILURE_LIMIT + [429] * (
        tries - settings.AXES_FAILURE_LIMIT
    )
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT
    assert _login(Client(), "alice", PASSWORD).status_code == 429
