import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from dreams import accounts
from dreams.forms import SignupForm
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


SIGNUP = {"password1": "moths at the window 9", "password2": "moths at the window 9"}


@pytest.mark.parametrize(
    "name", ["alice", "ALICE", "Alice", "ａｌｉｃｅ", "Ａｌｉｃｅ", "admin", "Admin"]
)
def test_signup_with_a_taken_name_says_so_beside_the_field(client, user, name):
    response = client.post(reverse("signup"), {"username": name, **SIGNUP})
    assert response.status_code == 200
    assert response.context["form"].errors == {"username": ["That name is taken; choose another."]}
    # Beside the field, as every field's error is, and tied to it for screen readers.
    assert (
        '<p class="field-error" id="id_username-error">That name is taken; choose another.</p>'
        in (response.content.decode())
    )
    assert get_user_model().objects.count() == 1


def test_a_taken_name_beyond_ascii_is_found_in_any_case(client, make_user):
    make_user("Émile")
    make_user("straße")
    for name in ("émile", "ÉMILE", "STRASSE"):
        response = client.post(reverse("signup"), {"username": name, **SIGNUP})
        assert response.status_code == 200 and "username" in response.context["form"].errors
    assert client.post(reverse("signup"), {"username": "émilie", **SIGNUP}).status_code == 302


def test_a_taken_name_costs_the_same_password_hash_as_a_free_one(client, user, monkeypatch):
    hashed = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(
        MD5PasswordHasher,
        "encode",
        lambda self, *a, **k: hashed.append(1) or original(self, *a, **k),
    )
    client.post(reverse("signup"), {"username": "ALICE", **SIGNUP})
    taken = len(hashed)
    hashed.clear()
    client.post(reverse("signup"), {"username": "wren", **SIGNUP})
    assert taken == len(hashed) == 1


def test_two_signups_racing_for_one_name_end_in_a_form_error(client, user, monkeypatch):
    # The other signup wins between the check and the insert: the database's unique name.
    monkeypatch.setattr(accounts, "name_taken", lambda **kwargs: False)
    monkeypatch.setattr(SignupForm, "validate_unique", lambda self: None)
    response = client.post(reverse("signup"), {"username": "alice", **SIGNUP})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["That name is taken; choose another."]


def test_the_account_page_answers_get_and_head_only(client, user):
    client.force_login(user)
    assert client.get("/accounts/").status_code == 200
    assert client.head("/accounts/").status_code == 200
    assert client.post("/accounts/").status_code == 405
