"""A title left empty stays derived; a title the writer typed is kept."""

import uuid

from django.urls import reverse
from django.utils.html import escape

from dreams.models import Dream
from dreams.titles import derive_title


def post(client, url, **fields):
    data = {"title": "", "visibility": "private", "draft_key": str(uuid.uuid4())} | fields
    return client.post(url, data)


def test_an_empty_title_is_drawn_again_from_every_new_opening(client, user):
    client.force_login(user)
    post(client, reverse("dreams:new"), body="My grandmother's house was flooded to the roof.")
    dream = Dream.objects.get()
    assert dream.title_derived and dream.title == derive_title(dream.body)
    edit = client.get(reverse("dreams:edit", args=[dream.pk]))
    form = edit.context["form"]
    # Shown as a placeholder, so typing in Title never appends to it.
    assert form["title"].value() == ""
    assert f'placeholder="{escape(dream.title)}"' in edit.content.decode()
    post(
        client,
        reverse("dreams:edit", args=[dream.pk]),
        body="A lighthouse walked into the sea.",
        version=str(dream.version),
    )
    dream.refresh_from_db()
    assert dream.title == derive_title("A lighthouse walked into the sea.") and dream.title_derived


def test_a_typed_title_is_kept_whatever_the_narrative_becomes(client, user):
    client.force_login(user)
    post(client, reverse("dreams:new"), title="The flooded house", body="Water everywhere.")
    dream = Dream.objects.get()
    assert not dream.title_derived
    assert client.get(reverse("dreams:edit", args=[dream.pk])).context["form"]["title"].value() == (
        "The flooded house"
    )
    post(
        client,
        reverse("dreams:edit", args=[dream.pk]),
        title="The flooded house",
        body="Then a lighthouse.",
        version=str(dream.version),
    )
    dream.refresh_from_db()
    assert dream.title == "The flooded house" and not dream.title_derived


def test_the_preview_brings_the_title_an_empty_field_would_get(client, user):
    client.force_login(user)
    body = "I was in my grandmother's kitchen and the kettle was a lighthouse."
    response = client.post(reverse("dreams:preview"), {"body": body})
    assert f'data-derived-title="{escape(derive_title(body))}"' in response.content.decode()
    assert "data-derived-title" not in client.post(reverse("dreams:preview"), {"body": " "}).text
