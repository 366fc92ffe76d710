"""GET and HEAD change nothing: every URL in the URLconf, asked by the owner of real objects
(a dream in a thread, its tag, motif, draft, picture and a pending import), as a page and as an
htmx fragment, leaves every row of every table as it was. A prefetching browser or a crawler
must never delete, restore or save anything. New URLs are found from the resolver."""

from __future__ import annotations

import io
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from dreams import entries, pictures, threads, zones
from dreams.models import ImportChunk, PendingImport

# Django's own admin answers a non-staff owner with a redirect to its login.
SKIP_NAMESPACES = {"admin"}


def named_routes(patterns, *, prefix: str = "", namespace: str = ""):
    """(route text, "namespace:name", keyword names) of each named URL outside SKIP_NAMESPACES."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIP_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry.url_patterns, prefix=route, namespace=inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield route, f"{namespace}{entry.name}", sorted(entry.pattern.converters)


ROUTES = list(named_routes(get_resolver().url_patterns))


@pytest.fixture
def owned(user, make_dream) -> dict:
    """Real objects of the signed-in owner, by what a URL keyword names."""
    earlier = make_dream(user, title="The first mirror", body="A mirror in the hall.")
    dream = make_dream(user, title="The mirror again", body="The mirror in the hall, again.",
                       tags=["hallway"])  # fmt: skip
    threads.link(dream, earlier=earlier)
    trashed = make_dream(user, title="Thrown away")
    entries.trash(trashed)
    draft = uuid.uuid4()
    entries.save_draft(owner=user, key=draft, dream=dream, title="", body="half", fields={})
    raw = b"date,text\n2026-01-01,A lift to the sea.\n"
    upload = PendingImport.objects.create(
        owner=user, name="dreams.csv", size=len(raw),
        survey={"kind": "CSV", "total": 1, "new": 1, "rows": [{"opening": "A lift"}]},
    )  # fmt: skip
    ImportChunk.objects.create(pending=upload, number=0, data=raw)
    png = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(png, format="PNG")
    picture = pictures.add(owner=user, name="p.png", raw=png.getvalue(), dream=dream, alt="Hall")
    motif = dream.motif_links.select_related("motif").first().motif
    return {
        # What <int:pk> names depends on the part of the site.
        "pk": {"dreams": dream.pk, "tags": dream.tags.get().pk, "import": upload.pk},
        "slug": motif.slug,
        "key": {"drafts": draft, "pictures": picture.key},
        "variant": "card",
        "number": dream.version,  # a version of the dream
    }


def url_for(route: str, name: str, keywords: list[str], owned: dict) -> str:
    part = route.split("/", 1)[0]
    kwargs = {}
    for keyword in keywords:
        value = owned[keyword]
        if isinstance(value, dict):
            if part not in value:
                pytest.fail(f"Give /{route} a real object for <{keyword}> in owned()")
            value = value[part]
        kwargs[keyword] = value
    return reverse(name, kwargs=kwargs)


def every_row() -> dict[str, list[tuple]]:
    """Each table's rows, in primary-key order: any insert, update or delete shows."""
    tables = set(connection.introspection.table_names())  # dream_search is PostgreSQL's only
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.db_table in tables
    }


def test_the_walk_finds_the_urls_with_objects_in_them():
    names = {name for _, name, _ in ROUTES}
    assert {"dreams:trash", "dreams:detail", "dreams:tag_delete", "dreams:picture"} <= names
    assert "dreams:import_preview" in names and "account" in names


@pytest.mark.parametrize(("route", "name", "keywords"), ROUTES, ids=[n for _, n, _ in ROUTES])
def test_get_and_head_change_no_row(client, user, owned, route, name, keywords):
    url = url_for(route, name, keywords, owned)
    client.force_login(user)
    # The session keeps the writer's zone after the first request: a cache, set here first.
    session = client.session
    session[zones.SESSION_KEY] = zones.zone_of(user)
    session.save()
    before = every_row()
    asked = [
        client.get(url),
        client.head(url),
        client.get(url, headers={"HX-Request": "true", "HX-Target": "main"}),
    ]
    changed = [table for table, rows in every_row().items() if rows != before[table]]
    assert changed == [], f"GET/HEAD {url} changed {changed}"
    assert all(response.status_code < 500 for response in asked)
