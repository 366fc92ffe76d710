"""Small manners in a real browser: logging out warns of unsaved words and says it is done."""

import re

from playwright.sync_api import expect


def test_logging_out_warns_of_words_only_this_browser_holds_then_says_so(new_page, writer, log_in):
    page = log_in(new_page(width=390, height=844), writer)
    page.goto("/accounts/logout/")
    expect(page.locator("[data-unsaved-warning]")).to_be_hidden()  # nothing held yet
    page.goto("/dreams/new/")
    page.context.set_offline(True)
    page.locator("#id_body").type("A lighthouse made of bread")
    page.context.set_offline(False)
    page.get_by_text("Menu").click()
    page.get_by_role("link", name="Log out").click()
    warning = page.locator("[data-unsaved-warning]")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("a dream you have not saved")
    expect(warning.get_by_role("link", name="Go back to them")).to_have_attribute(
        "href", "/dreams/new/"
    )
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile("/$"))
    expect(page.locator(".messages")).to_contain_text("You are logged out.")
    held = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('somnia-draft'))")
    assert held == []
