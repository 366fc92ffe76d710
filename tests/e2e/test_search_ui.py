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
