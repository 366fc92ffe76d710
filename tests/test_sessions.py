"""Fragments asked for after the session ended answer one line, never a login page."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from dreams.models import Draft

FRAGMENTS = [
    ("post", "dreams:preview", {"body": "A moth"}),
    ("post", "dreams:motif_suggestions", {"body": "A moth"}),
    ("post", "dreams:motif_create", {"motif_words": "moth", "body": "A moth"}),
    ("post", "dreams:autosave_new", {"draft_key": str(uuid.uuid4()), "body": "A moth"}),
    ("get", "dreams:tag_suggestions", {"tags": "wa"}),
]


@pytest.mark.parametrize(("method", "name", "data"), FRAGMENTS)
def test_a_fragment_after_the_session_ended_says_so_in_place(client, db, method, name, data):
    response = getattr(client, method)(
        reverse(name),
        data,
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/dreams/7/edit/"},
    )
    assert response.status_code == 401
    html = response.content.decode()
    assert "You are logged out; your words are kept on this device" in html
    assert 'href="/accounts/login/?next=/dreams/7/edit/"' in html
    assert "<html" not in html and "<form" not in html and "password" not in html
    assert not Draft.objects.exists()


def test_the_way_back_is_only_ever_to_our_own_pages(client, db):
    response = client.post(
        reverse("dreams:preview"),
        {"body": "x"},
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.test/phish"},
    )
    assert "next=/dreams/new/" in response.content.decode()


def test_a_fragment_with_a_stale_csrf_token_says_reload_in_place(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("dreams:autosave_new"),
        {"draft_key": str(uuid.uuid4()), "body": "words"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/dreams/new/"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "your words are kept on this device" in html and "<html" not in html
    assert 'href="/dreams/new/"' in html
    # A whole page (no htmx) still gets the whole explanation.
    page = client.post(reverse("dreams:new"), {"body": "words"})
    assert page.status_code == 403 and "<html" in page.content.decode()


@pytest.mark.parametrize("path", ["/dreams/new/", "/dreams/1/edit/"])
def test_saving_after_the_session_ended_says_the_words_were_not_saved_yet(client, db, path):
    response = client.post(path, {"body": "A moth in the lamp."})
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login.status_code == 200
    assert "You were logged out before this dream was saved" in login.content.decode()
    assert login.context["next"] == path


def test_opening_the_form_logged_out_just_asks_to_log_in(client, db):
    response = client.get("/dreams/new/")
    login = client.get(response["Location"])
    assert "logged out before" not in login.content.decode()
