"""Every URL in the URL conf, as anonymous, another user and the owner: a private dream and
its draft are never revealed to anyone but their owner. URLs are found from the resolver, so a
new URL is covered without editing this file."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dreams import entries, pictures
from dreams.models import Dream

SECRET = "zanzibarquartz"
# Site-wide pages that are not about one dream.
SKIP_PREFIXES = ("admin/",)


def walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def fill(
    route: str, *, pk: int, key: uuid.UUID, tag_pk: int = 0, import_pk: int = 0, picture=""
) -> str:
    route = route.replace("<str:key>", picture).replace("<str:variant>", "full")
    if route.startswith("tags/"):
        pk = tag_pk
    if route.startswith("import/"):
        pk = import_pk
    route = route.replace("<int:pk>", str(pk)).replace("<uuid:key>", str(key))
    route = route.replace("<int:number>", "1")  # a version of the dream
    if route.endswith("/merge/"):
        route += f"?draft={key}"  # the merge of this draft into the dream
    return "/" + route.replace("<slug:slug>", "mirror").lstrip("^")


ROUTES = [r for r in walk(get_resolver().url_patterns) if not r.startswith(SKIP_PREFIXES)]


@pytest.fixture
def secret(user, make_dream):
    dream = make_dream(user, title=f"The {SECRET} dream", body=f"A {SECRET} mirror.", tags=[SECRET])
    key = uuid.uuid4()
    entries.save_draft(owner=user, key=key, dream=dream, title="", body=SECRET, fields={})
    from dreams.models import ImportChunk, PendingImport

    raw = f"date,text\n2026-01-01,{SECRET}\n".encode()
    pending = PendingImport.objects.create(
        owner=user, name=f"{SECRET}.csv", size=len(raw),
        survey={"kind": "CSV", "total": 1, "new": 1, "rows": [{"opening": SECRET}]},
    )  # fmt: skip
    ImportChunk.objects.create(pending=pending, number=0, data=raw)
    dream.pending_pk = pending.pk
    dream.picture_key = pictures.add(
        owner=user, name="secret.png", raw=_png(), dream=dream, alt=SECRET
    ).key
    return dream, key


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_routes_are_found():
    assert any("<int:pk>" in r for r in ROUTES) and "dreams/new/" in ROUTES


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("viewer", ["anonymous", "other"])
def test_no_url_reveals_a_private_dream_to_anyone_else(client, secret, other_user, route, viewer):
    dream, key = secret
    if viewer == "other":
        client.force_login(other_user)
    url = fill(
        route,
        pk=dream.pk,
        key=key,
        tag_pk=dream.tags.get().pk,
        import_pk=dream.pending_pk,
        picture=dream.picture_key,
    )
    for method in ("get", "post"):
        response = getattr(client, method)(url, {"draft_key": str(key), "keep": "mine"})
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode(errors="replace")
        assert SECRET not in body, f"{method.upper()} {url} as {viewer} shows the secret"
        if ("<int:pk>" in route or "<uuid:key>" in route) and method == "post":
            assert response.status_code != 200 or route.startswith("motifs/")
        if "<str:key>" in route:  # a picture of the private dream
            assert response.status_code in {404, 405}, f"{method.upper()} {url} as {viewer}"
        if "<int:pk>" in route or "<uuid:key>" in route:
            allowed = {404, 405, 401} if viewer == "other" else {302, 401, 404, 405}
            assert response.status_code in allowed, f"{method.upper()} {url} as {viewer}"
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/")
    dream.refresh_from_db()
    assert dream.body == f"A {SECRET} mirror." and dream.deleted_at is None
    assert dream.recurs is None and dream.tags.get().name == SECRET
    assert Dream.objects.filter(body__contains=SECRET).count() == 1  # nothing imported
    assert dream.versions.count() == 0  # no merge, no restore


@pytest.mark.parametrize("route", [r for r in ROUTES if "<int:pk>" in r])
def test_the_owner_reaches_every_dream_url(client, secret, user, route):
    dream, key = secret
    client.force_login(user)
    url = fill(route, pk=dream.pk, key=key, tag_pk=dream.tags.get().pk, import_pk=dream.pending_pk)
    response = client.get(url)
    assert response.status_code in {200, 405}, url
