"""The motif panel on a phone (390x844) and a dream page's chief motifs, in Chromium."""

import re

from playwright.sync_api import expect

from dreams.models import Dream

PHONE = {"width": 390, "height": 844}
TEXT = "A feather fell past the mirror; the mirror cracked. I climbed the stairs."


def test_one_row_per_suggestion_with_one_tap_choices_on_a_phone(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type(TEXT)
    mirror = page.locator(".suggestion", has_text="Mirror")
    expect(mirror).to_contain_text("mirror")
    # No dropdowns: two buttons a thumb can reach, "Never" behind a small menu.
    expect(page.locator("#motif-suggestions select")).to_have_count(0)
    keep = mirror.get_by_role("button", name="Keep")
    not_this = mirror.get_by_role("button", name="Not this")
    for button in (keep, not_this):
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    expect(mirror.get_by_role("button", name="Never suggest Mirror")).to_be_hidden()
    not_this.click()
    removed = page.locator(".suggestion--removed", has_text="Mirror")
    expect(removed.locator("s")).to_have_text("Mirror")
    removed.get_by_role("button", name="Undo").click()
    expect(page.locator(".suggestion--removed")).to_have_count(0)
    feather = page.locator(".suggestion", has_text="Feather")
    feather.get_by_role("button", name="Keep").click()
    expect(page.locator(".suggestion--kept", has_text="Feather")).to_contain_text("Kept")
    page.locator(".suggestion", has_text="Mirror").get_by_role("button", name="Not this").click()
    expect(page.locator(".suggestion--removed", has_text="Mirror")).to_be_visible()
    page.get_by_role("button", name="Save dream").click()
    expect(page.locator(".dream__body")).to_be_visible()
    dream = Dream.objects.get(owner=writer)
    statuses = dict(dream.motif_links.values_list("motif__slug", "status"))
    assert statuses["mirror"] == "removed" and statuses["feather"] == "added"


def test_the_panel_works_by_keyboard(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type(TEXT)
    keep = page.locator(".suggestion", has_text="Mirror").get_by_role("button", name="Keep")
    keep.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".suggestion--kept", has_text="Mirror")).to_be_visible()
    menu = page.locator(".suggestion", has_text="Feather").locator("summary")
    menu.focus()
    page.keyboard.press("Enter")
    never = page.get_by_role("button", name="Never suggest Feather")
    expect(never).to_be_visible()
    never.focus()
    page.keyboard.press("Space")
    expect(page.locator(".suggestion--removed", has_text="Feather")).to_contain_text("never")


def test_a_tap_before_htmx_takes_in_a_redrawn_button_stays_in_the_panel(new_page, writer, log_in):
    # htmx takes in a redrawn panel's buttons when it settles; a tap in that instant used to
    # submit the whole form, saving the dream. A clone stands for such a button: htmx has no
    # handler on it.
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type(TEXT)
    expect(page.locator(".suggestion", has_text="Mirror")).to_be_visible()
    page.evaluate(
        """() => document.querySelectorAll('#motif-suggestions button').forEach(
               (button) => button.replaceWith(button.cloneNode(true)))"""
    )
    page.locator(".suggestion", has_text="Mirror").get_by_role("button", name="Not this").click()
    expect(page.locator(".suggestion--removed", has_text="Mirror")).to_be_visible()
    assert page.url.endswith("/dreams/new/")
    assert not Dream.objects.filter(owner=writer).exists()


def test_quick_taps_are_all_kept_though_each_cancels_the_last_request(new_page, writer, log_in):
    # A second tap cancels the first's request; each choice must still reach the panel.
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type(TEXT)
    expect(page.locator(".suggestion", has_text="Staircase")).to_be_visible()
    page.evaluate(
        """() => {
            const row = (name) => [...document.querySelectorAll('.suggestion')]
                .find((li) => li.textContent.includes(name));
            const tap = (name, label) => [...row(name).querySelectorAll('button')]
                .find((b) => b.textContent.trim() === label).click();
            tap('Staircase', 'Not this'); tap('Feather', 'Keep'); tap('Mirror', 'Keep');
        }"""
    )
    expect(page.locator(".suggestion--kept", has_text="Mirror")).to_be_visible()
    expect(page.locator(".suggestion--kept", has_text="Feather")).to_be_visible()
    expect(page.locator(".suggestion--removed", has_text="Staircase")).to_be_visible()
    page.get_by_role("button", name="Save dream").click()
    expect(page.locator(".dream__body")).to_be_visible()
    statuses = dict(
        Dream.objects.get(owner=writer).motif_links.values_list("motif__slug", "status")
    )
    assert statuses["staircase"] == "removed" and statuses["feather"] == "added"
    assert statuses["mirror"] == "added"


def test_a_choice_leaves_the_rows_below_where_the_thumb_expects_them(new_page, writer, log_in):
    # "Not this" turns a row's quote and three buttons into a name and Undo: one line on a
    # phone where it took two. The rows below used to move up, and a quick second tap landed
    # between them.
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type(TEXT)
    rows = page.locator("#motif-suggestions .suggestion")
    expect(rows.filter(has_text="Staircase")).to_be_visible()
    assert rows.count() >= 3
    first, last = rows.first, rows.last
    # Where each row sits in the panel (the page scrolls under the taps).
    tops = """rows => rows.map((row) => Math.round(
        row.getBoundingClientRect().top - rows[0].getBoundingClientRect().top))"""
    before = rows.evaluate_all(tops)
    first.get_by_role("button", name="Not this").click()
    expect(first).to_have_class(re.compile("suggestion--removed"))
    last.get_by_role("button", name="Not this").click()
    expect(last).to_have_class(re.compile("suggestion--removed"))
    assert rows.evaluate_all(tops) == before


def test_without_javascript_a_choice_is_a_plain_form_post(new_page, writer, log_in):
    page = log_in(new_page(javascript=False, **PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").fill(TEXT)
    page.get_by_role("button", name="Save dream").click()
    dream = Dream.objects.get(owner=writer)
    page.goto(f"/dreams/{dream.pk}/edit/")
    page.locator(".suggestion", has_text="Mirror").get_by_role("button", name="Not this").click()
    expect(page.locator(".dream__body")).to_be_visible()
    assert dream.motif_links.get(motif__slug="mirror").status == "removed"


def test_a_dream_page_marks_its_chief_motifs_and_can_show_every_word(new_page, seeds):
    page = new_page(**PHONE)
    page.goto(seeds[0].get_absolute_url())
    marks = page.locator(".dream__body .motif-mark")
    chief = {marks.nth(i).get_attribute("title") for i in range(marks.count())}
    assert 1 <= len(chief) <= 5
    expect(page.locator(".other-motifs")).to_contain_text("Also in this dream")
    page.get_by_role("link", name="Show every motif word").click()
    expect(page).to_have_url(re.compile(r"\?words=all"))
    every = page.locator(".dream__body .motif-mark")
    assert len({every.nth(i).get_attribute("title") for i in range(every.count())}) > len(chief)
    page.get_by_role("link", name="Mark only the chief motifs").click()
    expect(page.locator(".dream__body .motif-mark")).to_have_count(marks.count())


def test_a_choice_deep_in_a_long_panel_leaves_the_page_where_it_was(new_page, writer, log_in):
    # htmx puts the redrawn panel in before it takes the old one out: Chromium's scroll
    # anchoring followed the old rows and threw the page down by the panel's height, and
    # the next quick taps landed on the form's fields below.
    page = log_in(new_page(**PHONE, has_touch=True, is_mobile=True), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type(
        "A feather fell past the mirror. I climbed the stairs to a door; water ran under it. "
        "A wolf, a key and a bridge over the sea."
    )
    rows = page.locator("#motif-suggestions .suggestion")
    expect(rows.nth(5)).to_be_visible()
    panel_top = page.locator("#motif-suggestions").evaluate(
        "el => el.getBoundingClientRect().top + window.scrollY"
    )
    page.evaluate("(y) => window.scrollTo(0, y + 120)", panel_top)
    row = rows.nth(3)
    before = page.evaluate("window.scrollY")
    row.get_by_role("button", name="Keep").tap()
    expect(row).to_have_class(re.compile("suggestion--kept"))
    page.wait_for_timeout(100)
    assert abs(page.evaluate("window.scrollY") - before) <= 2
