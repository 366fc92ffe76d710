from django.contrib.auth import get_user_model
from django.urls import reverse

from dreams import accounts
from dreams.models import Draft, Dream


def test_signing_up_logs_in_and_opens_a_new_entry(client, db):
    response = client.post(
        reverse("signup"),
        {
            "username": "dana",
            "password1": "moths at the window 9",
            "password2": "moths at the window 9",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("dreams:new")
    assert client.get(reverse("dreams:new")).status_code == 200


def test_signup_refuses_weak_passwords(client, db):
    response = client.post(
        reverse("signup"), {"username": "eve", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="eve").exists()
    assert "too short" in response.content.decode()


def test_login_uses_the_username_field(client, user):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "a-long dream password"}
    )
    assert response.status_code == 302


def test_repeated_failed_logins_are_throttled(client, user):
    for _ in range(accounts.MAX_FAILURES_PER_USERNAME):
        response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(
        reverse("login"), {"username": "alice", "password": "a-long dream password"}
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, user):
    client.force_login(user)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, user):
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "a-long dream password",
            "new_password1": "another long dream 42",
            "new_password2": "another long dream 42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another long dream 42")


def test_deleting_an_account_needs_the_password_and_takes_every_dream(
    client, user, other_user, make_dream
):
    make_dream(user, visibility=Dream.Visibility.SHARED)
    kept = make_dream(other_user)
    client.force_login(user)
    assert "all 1 of your dream" in client.get(reverse("delete_account")).content.decode()
    response = client.post(reverse("delete_account"), {"password": "wrong"})
    assert response.status_code == 200 and "not your password" in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    client.post(reverse("delete_account"), {"password": "a-long dream password"})
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert list(Dream.objects.all()) == [kept]
    assert not Draft.objects.filter(owner_id=user.pk).exists()
