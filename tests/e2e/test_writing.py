"""Writing in a real browser: keyboard only at phone size, preview, drafts, two tabs."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dreams.models import Dream

PHONE = {"width": 390, "height": 844}


def test_a_new_user_signs_up_writes_and_saves_with_the_keyboard_at_phone_size(
    new_page, transactional_db
):
    page = new_page(**PHONE)
    page.goto("/accounts/signup/")
    page.locator("#id_username").focus()
    page.keyboard.type("marlow")
    page.keyboard.press("Tab")
    page.keyboard.type("owls in the attic 31")
    page.keyboard.press("Tab")
    page.keyboard.type("owls in the attic 31")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/dreams/new/$"))
    expect(page.locator("#id_body")).to_be_focused()  # the narrative is ready for words
    page.keyboard.type("I was in my grandmother's kitchen and the kettle was a *lighthouse*.")
    page.keyboard.press("Control+Enter")
    expect(page).to_have_url(re.compile(r"/dreams/\d+/$"))
    expect(page.locator(".dream__body")).to_contain_text("the kettle was a lighthouse")
    expect(page.locator(".dream__body em")).to_have_text("lighthouse")
    dream = Dream.objects.get(owner__username="marlow")
    assert dream.visibility == Dream.Visibility.PRIVATE and dream.title


def test_the_preview_follows_the_narrative(new_page, writer, log_in):
    page = log_in(new_page(), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type("A hall of **mirrors** and a _moth_.")
    expect(page.locator("#preview strong")).to_have_text("mirrors")
    expect(page.locator("#preview em")).to_have_text("moth")


def test_closing_the_tab_mid_entry_offers_the_draft_back(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type("A wolf followed me through the snow and then")
    page.close(run_before_unload=True)  # no save, no pause for the debounce
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    offer = page.locator("[data-draft-choice]").first.get_by_role("button", name="Restore")
    expect(offer.first).to_be_visible()
    offer.first.click()
    expect(page.locator("#id_body")).to_have_value(
        re.compile("A wolf followed me through the snow and then")
    )
    page.keyboard.press("Control+Enter")
    expect(page.locator(".dream__body")).to_contain_text("A wolf followed me")


def test_words_typed_offline_are_kept_on_the_device(new_page, writer, log_in):
    page = log_in(new_page(), writer)
    page.goto("/dreams/new/")
    page.context.set_offline(True)
    page.locator("#id_body").type("The train had no driver")
    expect(page.locator("#autosave-alert")).to_contain_text("kept on this device")
    page.context.set_offline(False)
    # Back online, the words reach the server by themselves.
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    expect(page.locator("#autosave-alert")).to_be_empty()
    page.reload()
    offer = page.locator("[data-draft-choice]")
    expect(offer).to_have_count(1)  # one offer, not the server's and the device's both
    expect(offer).to_contain_text("The train had no driver")
    expect(offer).to_contain_text("Saved on the server and on this device")
    offer.get_by_role("button", name="Restore").click()
    expect(page.locator("#id_body")).to_have_value("The train had no driver")


def test_bad_input_keeps_every_word_with_the_reason_beside_the_field(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_title").fill("t" * 300)
    page.locator("#id_body").fill("Still here after the error.")
    page.locator("#id_tags").fill("fine, " + "x" * 100)
    page.get_by_role("button", name="Save dream").click()
    expect(page.locator("#id_title-error")).to_contain_text("at most 200")
    expect(page.locator("#id_tags-error")).to_contain_text("at most 64")
    expect(page.locator("#id_body")).to_have_value("Still here after the error.")
    expect(page.locator("#id_title")).to_have_value("t" * 300)


def test_the_writing_form_has_no_accessibility_violations(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_kept_copy_survives_looking_at_the_form_and_leaves_with_the_user(
    new_page, writer, log_in, django_user_model
):
    page = log_in(new_page(), writer)
    page.goto("/dreams/new/")
    page.context.set_offline(True)
    page.locator("#id_body").type("Words only this device has")
    context = page.context
    page.close()  # still offline: the server never hears of these words
    context.set_offline(False)
    page = context.new_page()
    for _ in range(2):  # look at the form, go elsewhere, come back: the copy is still offered
        page.goto("/dreams/new/")
        # The device's copy, or the server's when the closing page's beacon got through later.
        offer = page.locator(".draft-offer:not([hidden])")
        expect(offer).to_be_visible()
        expect(offer).to_contain_text("Words only this device")
        page.goto("/")
    page.goto("/accounts/")
    page.get_by_role("button", name="Log out").click()
    other = django_user_model.objects.create_user(username="someone", password="x" * 20)
    log_in(page, other)
    page.goto("/dreams/new/")
    expect(page.locator("#id_body")).to_be_visible()
    expect(page.locator("[data-drafts]")).to_be_hidden()
    # No words are left (the only key left names the account last logged in here).
    assert page.evaluate("Object.keys(localStorage)") == ["somnia-last-writer"]
    assert page.evaluate("localStorage.getItem('somnia-last-writer')") == str(other.pk)
