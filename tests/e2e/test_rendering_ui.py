"""Pathological narratives in a real browser at phone size: a shared dream made to be slow to
render, and the live preview of one, answer promptly while the site goes on serving everyone
else, and what they show stays on the phone's screen."""

from __future__ import annotations

import threading
import time
import urllib.request

from django.core.cache import caches
from playwright.sync_api import expect

from dreams import entries
from dreams.forms import DreamForm
from dreams.models import Dream

PHONE = {"width": 390, "height": 844}
PROMPT = 5.0  # seconds: generous for a loaded CI machine; before, such a page took 30 s or more


def hostile_narrative() -> str:
    """The review's worst cases in one narrative at the form's maximum length."""
    nested = "".join("  " * n + f"- level{n}\n" for n in range(120))
    link = "[mirror]" + " " * 15_000 + "(https://example.org/m)\n\n"
    quotes = "> " * 2_000 + "the deepest quote\n\n"
    tail = "\n\n" + nested + "\n" + link + quotes + "<div>" * 2_000 + "\n\nThe last words."
    # First: an unclosed <div> made Python-Markdown read the rest as HTML, and skip the run.
    return "[" * (DreamForm.MAX_BODY - len(tail)) + tail


def _shared(owner, *, title: str, body: str) -> Dream:
    dream = Dream(owner=owner, title=title, body=body, visibility=Dream.Visibility.SHARED)
    return entries.save_dream(dream)


def _fetch_repeatedly(url: str, stop: threading.Event, times: list[float]) -> None:
    """Another visitor asking for the hostile page over and over (never from a cache here)."""
    while not stop.is_set():
        caches["local"].clear()
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as answer:
            answer.read()
        times.append(time.perf_counter() - started)


def _timed_goto(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    return time.perf_counter() - started


def test_a_hostile_shared_dream_answers_promptly_while_others_are_served(
    new_page, writer, live_server
):
    body = hostile_narrative()
    assert len(body) == DreamForm.MAX_BODY
    hostile = _shared(writer, title="A hostile dream", body=body)
    calm = _shared(writer, title="A calm dream", body="I walked down a staircase into the sea.")
    caches["local"].clear()

    stop, times = threading.Event(), []
    other = threading.Thread(
        target=_fetch_repeatedly, args=(live_server.url + hostile.get_absolute_url(), stop, times)
    )
    other.start()
    try:
        page = new_page(**PHONE)
        assert _timed_goto(page, hostile.get_absolute_url()) < PROMPT
        text = page.locator(".dream__body")
        expect(text).to_contain_text("level119")
        expect(text).to_contain_text("the deepest quote")
        expect(text).to_contain_text("The last words.")
        # Nothing pushes the page sideways: a 50,000-character run of "[" wraps.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        neighbour = new_page(**PHONE)
        for url in ["/", calm.get_absolute_url(), "/search/?q=staircase"]:
            assert _timed_goto(neighbour, url) < PROMPT, url
        expect(neighbour.locator("main")).to_contain_text("staircase")
    finally:
        stop.set()
        other.join()
    assert times and max(times) < PROMPT, times


def test_the_preview_of_a_hostile_narrative_answers_promptly(new_page, writer, log_in):
    calm = _shared(writer, title="A calm dream", body="A lantern floated over the lake.")
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    started = time.perf_counter()
    page.locator("#id_body").fill(hostile_narrative())
    preview = page.locator("#preview")
    expect(preview).to_contain_text("The last words.", timeout=PROMPT * 1000)
    assert time.perf_counter() - started < PROMPT + 2  # the fill itself takes a moment
    expect(preview).to_contain_text("level119")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Meanwhile a visitor reads another dream, and the preview keeps following the words.
    visitor = new_page(**PHONE)
    assert _timed_goto(visitor, calm.get_absolute_url()) < PROMPT
    expect(visitor.locator(".dream__body")).to_contain_text("lantern")
    page.locator("#id_body").fill("Now only a *moth*.")
    expect(preview.locator("em")).to_have_text("moth")
