"""What only a browser shows: covers, live filters, history, infinite scroll, themes, keyboard."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dreams import entries
from dreams.models import Dream


def cards(page):
    return page.locator(".dream-card")


def test_the_gallery_shows_five_seed_cards_with_their_covers(page, seeds):
    page.goto("/")
    expect(cards(page)).to_have_count(5)
    for dream in seeds:
        expect(page.get_by_role("link", name=dream.title)).to_be_visible()
    covers = page.locator(".dream-card__cover")
    covers.last.scroll_into_view_if_needed()
    # A function, not an expression: Playwright polls an expression with eval, which the
    # CSP refuses once the first check has not already passed.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.dream-card__cover')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    sources = covers.evaluate_all("imgs => imgs.map(img => img.currentSrc)")
    assert len(set(sources)) == 5


def test_filtering_by_a_motif_narrows_the_cards_keeps_the_url_and_back_restores(page, seeds):
    page.goto("/")
    expect(cards(page)).to_have_count(5)
    feathered = Dream.objects.filter(source="seed", motif_links__motif__slug="hummingbird").count()
    assert 0 < feathered < 5
    page.select_option("#filter-motif", "hummingbird")
    expect(page).to_have_url(re.compile(r"motif=hummingbird"))
    expect(cards(page)).to_have_count(feathered)
    expect(page.locator(".gallery__count")).to_have_text(re.compile(rf"^{feathered} dream"))
    page.go_back()
    expect(page).not_to_have_url(re.compile("motif="))
    expect(cards(page)).to_have_count(5)
    page.go_forward()
    expect(cards(page)).to_have_count(feathered)
    page.reload()
    expect(cards(page)).to_have_count(feathered)
    expect(page.locator("#filter-motif")).to_have_value("hummingbird")


def test_an_unknown_filter_is_ignored_with_a_note(page, seeds):
    page.goto("/?motif=unicorn-of-doom&lucid=perhaps")
    expect(page.locator(".notes")).to_contain_text("unicorn-of-doom")
    expect(page.locator(".notes")).to_contain_text("perhaps")
    expect(cards(page)).to_have_count(5)


def test_scrolling_to_the_end_loads_the_next_page(page, seeds):
    owner = seeds[0].owner
    for i in range(30):
        entries.save_dream(
            Dream(
                owner=owner,
                title=f"Extra dream {i}",
                body="I rode a train of glass through a forest.",
                visibility=Dream.Visibility.SHARED,
            )
        )
    page.goto("/")
    expect(cards(page)).to_have_count(24)
    expect(page.locator(".pager")).to_be_hidden()  # htmx pages by itself
    page.locator("#more").scroll_into_view_if_needed()
    expect(cards(page)).to_have_count(35)
    expect(page.locator("#more")).to_have_count(0)


def test_without_javascript_filters_post_as_a_form_and_pages_are_links(new_page, seeds):
    page = new_page(javascript=False)
    page.goto("/")
    page.select_option("#filter-motif", "hummingbird")
    page.get_by_role("button", name="Show dreams").click()
    expect(page).to_have_url(re.compile("motif=hummingbird"))
    assert 0 < cards(page).count() < 5


def test_the_dream_page_highlights_motifs_and_links_them(page, seeds):
    dream = seeds[0]
    page.goto(dream.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(dream.title)
    marks = page.locator(".dream__body .motif-mark")
    assert marks.count() > 5
    feather = page.locator(".dream__body .motif-mark", has_text=re.compile("^feathers?$", re.I))
    expect(feather.first).to_have_attribute("href", "/motifs/feather/")
    expect(page.locator(".dream__cover")).to_have_attribute("alt", re.compile("dreamscape"))
    # Only a motif's first mention is a link; the rest are marked, one tab stop per motif.
    assert page.locator(".dream__body a.motif-mark[href='/motifs/feather/']").count() == 1


def test_dark_mode_follows_the_system_and_the_toggle_is_remembered(new_page, seeds):
    page = new_page(scheme="dark")
    page.goto("/")

    def background():
        return page.evaluate("getComputedStyle(document.body).backgroundColor")

    dark = background()
    # One name whatever the state; aria-pressed and the word beside it say which.
    toggle = page.get_by_role("button", name="Dark theme", exact=True)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text(re.compile(r"Dark theme\s+on\s*$"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_have_text(re.compile(r"Dark theme\s+off\s*$"))
    light = background()
    assert light != dark
    page.reload()
    assert background() == light
    expect(page.locator("html")).to_have_attribute("data-theme", "light")


def test_the_keyboard_alone_reaches_every_card(page, seeds):
    page.goto("/")
    wanted = {dream.get_absolute_url() for dream in seeds}
    reached = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href')")
        if href in wanted:
            reached.add(href)
            visible = page.evaluate(
                "getComputedStyle(document.activeElement.closest('.dream-card')).outlineStyle"
            )
            assert visible != "none"
        if reached == wanted:
            break
    assert reached == wanted
    page.keyboard.press("Enter")
    expect(page.locator(".dream__body")).to_be_visible()


def test_the_skip_link_moves_focus_to_the_content(page, seeds):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_fit_the_screen_at_phone_and_desktop_sizes(new_page, seeds, width):
    page = new_page(width=width, height=800)
    for url in ["/", seeds[0].get_absolute_url()]:
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {width}px"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_accessibility_violations(new_page, seeds, scheme):
    page = new_page(scheme=scheme)
    axe = Axe()
    for url in ["/", seeds[0].get_absolute_url()]:
        page.goto(url)
        results = axe.run(page)
        assert results.violations_count == 0, f"{url} ({scheme}):\n{results.generate_report()}"


def test_arrow_keys_in_a_filter_apply_nothing_until_enter_then_one_history_entry(page, seeds):
    page.goto("/")
    expect(cards(page)).to_have_count(5)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if r.headers.get("hx-request") else None)
    entries = page.evaluate("history.length")
    page.locator("#filter-motif").focus()
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    chosen = page.locator("#filter-motif").input_value()
    assert chosen  # the arrows moved the choice...
    page.wait_for_timeout(500)
    assert asked == [] and "motif=" not in page.url  # ...and nothing was fetched
    # htmx pushes the URL before it swaps the form in: wait for the swap to settle, as a
    # person's next key press would, before pressing on.
    page.evaluate(
        "window.settled = 0; document.addEventListener('htmx:afterSettle', () => settled++)"
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"motif={chosen}"))
    # (evaluate, not wait_for_function: polling a string predicate is an eval the CSP refuses)
    page.evaluate(
        """() => window.settled > 0 || new Promise((settle) =>
            document.addEventListener("htmx:afterSettle", () => settle(true), { once: true }))"""
    )
    assert len(asked) == 1
    assert page.evaluate("history.length") == entries + 1
    # Arrows again, then leaving the field: one more application, one more entry.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(page).not_to_have_url(re.compile(rf"motif={chosen}(&|$)"))
    assert len(asked) == 2
    assert page.evaluate("history.length") == entries + 2
    page.go_back()
    expect(page).to_have_url(re.compile(rf"motif={chosen}"))


def test_a_sort_picked_with_the_pointer_applies_at_once(page, seeds):
    page.goto("/")
    page.select_option("#filter-sort", "oldest")
    expect(page).to_have_url(re.compile("sort=oldest"))
