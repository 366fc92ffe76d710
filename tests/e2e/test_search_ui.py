"""Live search in a real browser: results as you type, the URL kept, back restores."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect


def test_results_update_as_you_type_and_back_restores(page, seeds):
    page.goto("/search/")
    expect(page.locator(".results__count")).to_contain_text("5 dreams")
    box = page.locator("#q")
    box.type("hummingbird", delay=30)
    expect(page).to_have_url(re.compile(r"q=hummingbird"))
    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".hit mark").first).to_have_text(re.compile("hummingbird", re.I))
    box.fill("mirrors OR staircase")
    expect(page).to_have_url(re.compile(r"q=mirrors(\+|%20)OR(\+|%20)staircase"))
    expect(page.locator(".results__count")).to_contain_text("one of")
    several = page.locator(".hit").count()
    assert several > 1
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=hummingbird$"))
    expect(page.locator(".hit")).to_have_count(1)


def test_a_typo_is_corrected_and_said(page, seeds):
    page.goto("/search/?q=hummingbrd")
    expect(page.locator(".notes")).to_contain_text("showing “hummingbird”")
    expect(page.locator(".hit")).to_have_count(1)


def test_the_search_page_has_no_accessibility_violations(page, seeds):
    page.goto("/search/?q=feather")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_cjk_search_on_a_phone(new_page, writer, log_in):
    """On a 390x844 phone: 雨伞 (two characters, inside a sentence) is found as typed, shown
    back as typed, marked in the snippet, and the page does not scroll sideways."""
    from dreams import entries
    from dreams.models import Dream

    for title, body in [
        ("傘の夢", "我梦见一只猫坐在雨伞下面，然后上了火车。"),
        ("Kein Schirm", "Wir gingen die Straße entlang, ohne Regenschirm."),
    ]:
        entries.save_dream(Dream(owner=writer, title=title, body=body))
    page = log_in(new_page(width=390, height=844), writer)
    page.goto("/search/")
    page.locator("#q").fill("雨伞")
    expect(page).to_have_url(re.compile(r"q=%E9%9B%A8%E4%BC%9E"))
    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".hit__title")).to_have_text("傘の夢")
    expect(page.locator(".hit mark")).to_have_text("雨伞")
    expect(page.locator(".results__count")).to_contain_text("1 dream for all of “雨伞”")
    page.locator("#q").fill("猫")
    expect(page.locator(".hit mark")).to_have_text("猫")
    page.locator("#q").fill("strasse")
    expect(page.locator(".hit mark")).to_have_text("Straße")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.reload()
    expect(page.locator("#q")).to_have_value("strasse")


def test_the_pager_swaps_the_results_in_place_and_keeps_the_url(page, writer):
    """With more than a page of results, "More matches" fetches the next page into #results
    (no page load: a value set on the window survives), the URL says which page, and Back
    returns to the first page."""
    from dreams import entries
    from dreams.models import Dream

    for i in range(25):
        entries.save_dream(Dream(owner=writer, title=f"Lantern {i:02}", visibility="shared",
                                 body=f"A paper lantern over the canal, night {i}."))  # fmt: skip
    page.goto("/search/?q=lantern")
    expect(page.locator(".hit")).to_have_count(20)
    page.evaluate("window.stayed = true")
    page.get_by_role("link", name="More matches →").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator(".hit")).to_have_count(5)
    expect(page.locator(".pager")).to_contain_text("Page 2 of 2")
    assert page.evaluate("window.stayed === true")
    page.go_back()
    expect(page.locator(".hit")).to_have_count(20)
