"""The first screen on a phone, measured: the header is one row, its menu opens without
JavaScript, and the writing page shows the whole dream box with nothing over it."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from dreams.models import Draft

PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 640}]
ROW = ".brand, .site-menu__toggle, .site-nav__search, .write-button"


def _boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })",
    )


@pytest.mark.parametrize("size", PHONES, ids=["390x844", "360x640"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_phone_header_is_one_row_with_a_menu(new_page, writer, log_in, size, javascript):
    page = log_in(new_page(**size, javascript=javascript), writer)
    page.goto("/?scope=mine")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, header  # was 332 px: five links stacked, search on its own row
    row = _boxes(page, ROW)
    assert len(row) == 4
    for box in row:  # all on the one row, inside the screen
        assert header["y"] <= box["top"] and box["bottom"] <= header["y"] + header["height"]
        assert box["left"] >= 0 and box["right"] <= size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    journal = page.get_by_role("link", name="Insights")
    expect(journal).to_be_hidden()
    page.get_by_text("Menu").click()
    expect(journal).to_be_visible()
    expect(page.get_by_role("link", name="My journal")).to_be_visible()
    journal.click()
    expect(page).to_have_url(re.compile("/insights/$"))


def test_search_is_one_tap_away_on_a_phone(new_page, seeds):
    page = new_page(**PHONES[0])
    page.goto("/")
    page.get_by_role("link", name="Search").click()
    expect(page).to_have_url(re.compile("/search/$"))
    expect(page.locator("#q")).to_be_focused()


def test_on_a_wide_screen_the_menu_links_sit_in_the_header(new_page, writer, log_in):
    page = log_in(new_page(), writer)
    page.goto("/")
    expect(page.locator(".site-menu__toggle")).to_be_hidden()
    for name in ["Gallery", "Motifs", "My journal", "Insights", "Account"]:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search dreams")).to_be_visible()


def _dream_box_is_clear(page, size: dict) -> None:
    box = page.locator("#id_body").bounding_box()
    header = page.locator(".site-header").bounding_box()
    bar = page.locator(".dream-form .form-actions").bounding_box()
    assert box["y"] >= header["y"] + header["height"], (box, header)
    assert box["y"] + box["height"] <= size["height"], (box, size)
    assert box["height"] >= 100, box  # room for a few lines
    assert box["y"] + box["height"] <= bar["y"], (box, bar)  # the save bar is below, not over
    # Nothing painted over it: the box itself is what is under each corner and its middle.
    for x, y in [(0.02, 0.02), (0.98, 0.02), (0.5, 0.5), (0.02, 0.98), (0.98, 0.98)]:
        point = {"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"]}
        hit = page.evaluate("p => document.elementFromPoint(p.x, p.y)?.id", point)
        assert hit == "id_body", (point, hit)


@pytest.mark.parametrize("size", PHONES, ids=["390x844", "360x640"])
@pytest.mark.parametrize("offer", [False, True], ids=["fresh", "draft-offer"])
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland"], ids=["home", "travelling"])
def test_the_whole_dream_box_is_on_the_first_screen(new_page, writer, log_in, size, offer, zone):
    if offer:
        Draft.objects.create(
            owner=writer,
            key=uuid.uuid4(),
            title="Glass beach",
            body="I walked a beach of glass at night; the waves were letters that spelled my "
            "name over and over while a lighthouse blinked.",
        )
    # Away from the account's zone, other pages offer to switch the clock; not this one.
    page = log_in(new_page(**size, timezone_id=zone), writer)
    page.goto("/dreams/new/")
    if offer:
        expect(page.locator("#draft-offer-title")).to_be_visible()
    expect(page.locator("#id_body")).to_be_focused()
    expect(page.locator(".zone-prompt")).to_have_count(0)
    _dream_box_is_clear(page, size)
    assert page.evaluate("window.scrollY") == 0


def test_a_long_earlier_title_keeps_the_dream_page_inside_a_phone(new_page, writer, log_in):
    """The "this dream again" list is as wide as its longest title; it shrinks to the screen."""
    from dreams import entries
    from dreams.models import Dream

    long_title = "Ich träumte von einer Tankstelle; das Café war geschlossen und niemand kam"
    entries.save_dream(Dream(owner=writer, title=long_title, body="Eine Tankstelle."))
    later = entries.save_dream(Dream(owner=writer, title="Again", body="The station again."))
    page = log_in(new_page(width=390, height=844), writer)
    page.goto(f"/dreams/{later.pk}/")
    assert page.locator("#earlier option", has_text="Ich träumte").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # was 431
    assert (
        page.locator("#earlier").bounding_box()["x"]
        + page.locator("#earlier").bounding_box()["width"]
        <= 390
    )


@pytest.mark.parametrize("size", PHONES, ids=["390x844", "360x640"])
def test_a_dream_pages_buttons_stay_buttons_on_a_phone(new_page, writer, log_in, size):
    """ "Written …, edited …" wrapped to six lines beside Edit, History and Delete, which grew
    into 130 px ovals; now the buttons keep their height and the time reads on its own line."""
    from dreams import entries
    from dreams.models import Dream

    dream = entries.save_dream(Dream(owner=writer, title="Stairs", body="A staircase."))
    dream = entries.save_edit(
        dream, changes={"body": "A staircase, again."}, tags=[], base_version=dream.version
    )
    page = log_in(new_page(**size), writer)
    page.goto(f"/dreams/{dream.pk}/")
    expect(page.locator(".dream__written")).to_contain_text("edited")
    for name in ("Edit", "History", "Delete"):
        box = page.locator(".dream__actions").get_by_role("link", name=name).bounding_box()
        assert 40 <= box["height"] <= 60 and box["x"] + box["width"] <= size["width"], name
    written = page.locator(".dream__written").bounding_box()
    assert written["height"] <= 60  # two lines at most


@pytest.mark.parametrize("touch", [True, False], ids=["touch", "keyboard"])
def test_the_keyboard_shortcut_is_offered_only_where_there_is_a_keyboard(
    new_page, writer, log_in, touch
):
    page = log_in(new_page(**PHONES[0], has_touch=touch, is_mobile=touch), writer)
    page.goto("/dreams/new/")
    hint = page.locator(".dream-form .keyboard-only")
    expect(hint).to_contain_text("Enter")
    if touch:
        expect(hint).to_be_hidden()
    else:
        expect(hint).to_be_visible()
