"""Motifs in a real browser: live suggestions with evidence, a motif from selected words."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dreams.models import Dream, Motif, MotifRejection


def test_suggestions_appear_while_writing_and_a_rejection_is_learnt(new_page, writer, log_in):
    page = log_in(new_page(), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type("The mirrors were mirrored in a mirror by the staircase.")
    mirror = page.locator(".suggestion", has_text="Mirror")
    expect(mirror).to_contain_text("mirrors, mirrored, mirror")
    expect(page.locator(".suggestion", has_text="Staircase")).to_be_visible()
    mirror.locator("summary").click()
    mirror.get_by_role("button", name="Never suggest Mirror").click()
    expect(page.locator(".suggestion--removed", has_text="Mirror")).to_be_visible()
    page.get_by_role("button", name="Save dream").click()
    expect(page.locator(".dream__body")).to_be_visible()
    dream = Dream.objects.get(owner=writer)
    assert "mirror" not in {m.slug for m in dream.shown_motifs}
    assert MotifRejection.objects.filter(owner=writer, motif__slug="mirror").exists()
    page.goto("/dreams/new/")
    page.locator("#id_body").type("Another mirror, and a staircase.")
    expect(page.locator(".suggestion", has_text="Staircase")).to_be_visible()
    expect(page.locator(".suggestion", has_text="Mirror")).to_have_count(0)


def test_selected_words_become_a_motif_of_ones_own(new_page, writer, log_in):
    page = log_in(new_page(), writer)
    page.goto("/dreams/new/")
    body = page.locator("#id_body")
    # Typing refreshes the suggestions a moment after the last key: let that refresh land first,
    # or it can replace the note that saving the motif shows.
    with page.expect_response(lambda response: "/motifs/suggest/" in response.url):
        body.type("Paper swans unfolded into sentences.")
    body.evaluate("el => { el.focus(); el.setSelectionRange(0, 11); }")
    body.dispatch_event("select")
    maker = page.locator("[data-make-motif]")
    expect(maker).to_be_visible()
    expect(maker.locator("[data-selected-words]")).to_have_text("Paper swans")
    maker.locator("[name=motif_category]").select_option("object")
    maker.get_by_role("button", name="Save this motif").click()
    expect(page.locator("#motif-suggestions")).to_contain_text("New motif: Paper swans")
    expect(page.locator(".suggestion", has_text="Paper swans")).to_be_visible()
    assert Motif.objects.filter(owner=writer, slug="paper-swans").exists()


def test_a_highlighted_word_leads_to_its_motif_page(page, seeds):
    page.goto(seeds[0].get_absolute_url())
    page.locator("a.motif-mark", has_text=re.compile("^feathers?$", re.I)).first.click()
    expect(page).to_have_url(re.compile("/motifs/feather/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Feather")
    # The seeds are undated: no "first seen" from the day they were imported.
    expect(page.locator(".facts")).to_contain_text("Undated")
    expect(page.locator(".timeline")).to_have_count(0)
    expect(page.get_by_role("link", name=seeds[0].title, exact=True)).to_be_visible()


def test_motif_pages_have_no_accessibility_violations(page, seeds):
    for url in ["/motifs/", "/motifs/feather/"]:
        page.goto(url)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{url}\n{results.generate_report()}"
