"""Offline first, on the server's side: the worker, the manifest, and queued saves."""

import json
import uuid

from django.contrib.staticfiles import finders
from django.urls import reverse

from dreams.models import Draft, Dream

QUEUE = {"X-Somnia-Queue": "1"}


def entry(user, **overrides):
    data = {
        "body": "A ferry crossed a desert at dawn.",
        "visibility": "private",
        "draft_key": str(uuid.uuid4()),
        "writer": str(user.pk),
    }
    return data | overrides


def test_the_worker_is_served_from_the_root_with_its_version_and_shell(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    code = response.content.decode()
    head = dict(line[4:].split(" = ", 1) for line in code.splitlines()[:2])
    shell = json.loads(head["SHELL"].rstrip(";"))
    assert "/static/css/somnia.css" in shell["files"] and shell["offline"] == "/offline/"
    assert any("htmx" in url for url in shell["files"])
    for url in shell["files"]:  # every file it keeps exists
        assert finders.find(url.removeprefix("/static/")), url
    assert 'addEventListener("fetch"' in code


def test_the_manifest_names_icons_that_exist(client, db):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == "/dreams/new/" and data["display"] == "standalone"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon


def test_every_page_links_the_manifest_and_the_worker(client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert f'data-worker="/sw.js" data-user="{user.pk}"' in html


def test_a_queued_save_answers_json_and_twice_is_one_dream(client, user):
    client.force_login(user)
    data = entry(user)
    first = client.post(reverse("dreams:new"), data, headers=QUEUE)
    again = client.post(reverse("dreams:new"), data, headers=QUEUE)
    dream = Dream.objects.get()
    assert first.json() == {"ok": True, "url": dream.get_absolute_url(), "again": False}
    assert again.json() == {"ok": True, "url": dream.get_absolute_url(), "again": True}


def test_a_queued_save_the_server_refuses_says_why_and_keeps_the_words(client, user):
    client.force_login(user)
    data = entry(user, dreamt_on="2999-01-01")
    response = client.post(reverse("dreams:new"), data, headers=QUEUE)
    assert response.status_code == 422
    assert "future" in " ".join(response.json()["errors"]["dreamt_on"])
    assert response.json()["url"] == "/dreams/new/"
    assert Draft.objects.get(key=data["draft_key"]).body == data["body"]
    assert not Dream.objects.exists()


def test_a_form_of_another_account_is_never_saved_into_this_one(client, user, other_user):
    client.force_login(other_user)
    data = entry(user)
    queued = client.post(reverse("dreams:new"), data, headers=QUEUE)
    assert queued.status_code == 409 and queued.json()["wrongWriter"]
    page = client.post(reverse("dreams:new"), data)
    assert page.status_code == 409 and "another account" in page.content.decode()
    assert not Dream.objects.exists() and not Draft.objects.exists()


def test_the_kept_shell_of_the_form_holds_no_drafts(client, user):
    from dreams import entries

    entries.save_draft(
        owner=user, key=uuid.uuid4(), dream=None, title="", body="Private words", fields={}
    )
    client.force_login(user)
    assert "Private words" in client.get("/dreams/new/").content.decode()
    shell = client.get("/dreams/new/", headers={"X-Somnia-Shell": "1"}).content.decode()
    assert "Private words" not in shell and 'data-here-drafts="[]"' in shell


def test_the_offline_page(client, db):
    response = client.get("/offline/")
    assert response.status_code == 200 and "No network" in response.content.decode()
