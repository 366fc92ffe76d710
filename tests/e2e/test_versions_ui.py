"""Versions of a dream in a real browser: the history, restoring, two tabs merged."""

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dreams import entries
from dreams.models import Dream

PHONE = {"width": 390, "height": 844}


def _write(page, *, title: str, body: str) -> Dream:
    page.goto("/dreams/new/")
    page.locator("#id_title").fill(title)
    page.locator("#id_body").fill(body)
    page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(re.compile(r"/dreams/\d+/$"))
    return Dream.objects.latest("pk")


def _edit(page, dream: Dream, **fields) -> None:
    page.goto(f"/dreams/{dream.pk}/edit/")
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(re.compile(rf"/dreams/{dream.pk}/$"))


def test_the_history_shows_differences_and_a_restored_version_becomes_newest(
    new_page, writer, log_in
):
    page = log_in(new_page(**PHONE), writer)
    dream = _write(page, title="The flooded house", body="I was in a house. Water rose.")
    _edit(page, dream, body="I was in my grandmother's house. Water rose. I woke at four.")
    page.get_by_role("link", name="History").click()
    latest = page.locator("#version-2")
    expect(latest).to_contain_text("Newest")
    expect(latest.locator("ins")).to_contain_text(["my grandmother's"])
    expect(latest.locator("del").first).to_contain_text("a")
    expect(latest.locator("ins").last).to_contain_text("I woke at four.")
    # Everything fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#version-1").get_by_role("button", name="Restore version 1").click()
    expect(page.locator(".dream__body")).to_have_text("I was in a house. Water rose.")
    expect(page.locator(".messages")).to_contain_text("now the newest version")
    page.get_by_role("link", name="History").click()
    newest = page.locator("#version-3")
    expect(newest).to_contain_text("Newest")
    expect(newest).to_contain_text("Restored from an earlier version")
    expect(newest.locator("del")).to_contain_text(["my grandmother's", "I woke at four."])
    dream.refresh_from_db()
    assert dream.version == 3 and dream.body == "I was in a house. Water rose."


def _two_tabs(new_page, log_in, writer, dream, **size):
    tabs = log_in(new_page(**size), writer), log_in(new_page(**size), writer)
    for tab in tabs:
        tab.goto(f"/dreams/{dream.pk}/edit/")
    return tabs


def test_a_title_in_one_tab_and_a_sentence_in_the_other_end_in_one_dream_without_a_question(
    new_page, writer, log_in
):
    dream = entries.save_dream(
        Dream(owner=writer, title="Shared start", body="It began in a lift. The doors opened.")
    )
    tab_a, tab_b = _two_tabs(new_page, log_in, writer, dream, **PHONE)
    tab_a.locator("#id_title").fill("The lift to the sea")
    tab_a.get_by_role("button", name="Save dream").click()
    expect(tab_a.locator("#dream-title")).to_have_text("The lift to the sea")
    tab_b.locator("#id_body").fill("It began in a lift. The doors opened. Tab B saw a forest.")
    tab_b.get_by_role("button", name="Save dream").click()
    expect(tab_b).to_have_url(re.compile(rf"/dreams/{dream.pk}/$"))  # no question asked
    expect(tab_b.locator("#dream-title")).to_have_text("The lift to the sea")
    expect(tab_b.locator(".dream__body")).to_contain_text("Tab B saw a forest.")
    expect(tab_b.locator(".messages")).to_contain_text("both changes are in")
    assert Dream.objects.filter(owner=writer).count() == 1
    tab_b.get_by_role("link", name="History").click()
    expect(tab_b.locator(".version").first).to_contain_text("Two edits merged")


def test_the_same_sentence_changed_in_two_tabs_asks_once_for_that_passage(new_page, writer, log_in):
    dream = entries.save_dream(
        Dream(owner=writer, title="Shared start", body="It began in a lift. The doors opened.")
    )
    tab_a, tab_b = _two_tabs(new_page, log_in, writer, dream, **PHONE)
    tab_a.locator("#id_body").fill("It began in a glass lift. The doors opened.")
    tab_a.get_by_role("button", name="Save dream").click()
    expect(tab_a.locator(".dream__body")).to_contain_text("glass lift")
    tab_b.locator("#id_body").fill("It began in a rusty lift. The doors opened. I woke.")
    tab_b.get_by_role("button", name="Save dream").click()
    expect(tab_b.get_by_role("heading", level=1)).to_contain_text("changed while you were editing")
    passages = tab_b.locator("fieldset.merge__passage")
    expect(passages).to_have_count(1)  # one question, for the one passage both changed
    expect(passages).to_contain_text("rusty")
    expect(passages).to_contain_text("glass")
    expect(tab_b.locator(".merge__text")).to_contain_text("I woke.")  # merged without asking
    assert tab_b.evaluate("document.documentElement.scrollWidth") <= 390
    passages.get_by_role("radio", name=re.compile("Yours")).check()
    tab_b.get_by_role("button", name="Save the merged dream").click()
    expect(tab_b.locator(".dream__body")).to_have_text(
        "It began in a rusty lift. The doors opened. I woke."
    )
    dream.refresh_from_db()
    assert dream.versions.filter(body__contains="glass").exists()  # the other side is kept
    # Back from the merged dream: the merge page's address says it is saved (the browser
    # resent no post, and the offline queue kept none of it).
    tab_b.go_back()
    expect(tab_b.get_by_text("This merge was already saved")).to_be_visible()
    expect(tab_b.locator(".dream__body")).to_contain_text("rusty lift")
    expect(tab_b.locator("[data-send-queue] li")).to_have_count(0)
    assert tab_b.evaluate("SomniaQueue.all().then(entries => entries.length)") == 0
    dream.refresh_from_db()
    assert dream.version == 4 and Dream.objects.filter(owner=writer).count() == 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_history_and_merge_pages_have_no_axe_violations(new_page, writer, log_in, scheme):
    dream = entries.create_entry(
        owner=writer,
        changes={"title": "Glass", "body": "A mirror in the hall. A moth.", "mood": "sad"},
        tags=["work"],
    )
    entries.save_edit(
        dream, changes={"body": "A cracked mirror in the hall. A moth.", "mood": "joyful"},
        tags=["home"], base_version=1,
    )  # fmt: skip
    key = uuid.uuid4()
    entries.save_draft(
        owner=writer, key=key, dream=dream, title="Glass",
        body="A silver mirror in the hall. A moth. I woke.",
        fields={"mood": "angry", "visibility": "private", "tags": "work"}, base_version=1,
    )  # fmt: skip
    page = log_in(new_page(**PHONE, scheme=scheme), writer)
    axe = Axe()
    for url in [f"/dreams/{dream.pk}/history/", f"/dreams/{dream.pk}/merge/?draft={key}"]:
        page.goto(url)
        results = axe.run(page)
        assert results.violations_count == 0, f"{url} ({scheme}):\n{results.generate_report()}"
    expect(page.locator("fieldset.merge__passage")).to_have_count(2)  # the mood, one passage


def test_an_edit_saved_offline_over_a_newer_version_waits_on_its_merge(new_page, writer, log_in):
    from tests.e2e.test_capture import _wait_for_offline_copy

    dream = entries.create_entry(
        owner=writer, changes={"title": "Lift", "body": "It began in a lift. The doors opened."},
        tags=[],
    )  # fmt: skip
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    _wait_for_offline_copy(page)
    page.goto(f"/dreams/{dream.pk}/edit/")
    page.context.set_offline(True)
    page.locator("#id_body").fill("It began in a rusty lift. The doors opened.")
    page.get_by_role("button", name="Save dream").click()
    expect(page.locator("[data-send-queue]")).to_contain_text("Waiting to be sent (1)")
    entries.save_edit(  # meanwhile, another device
        dream, changes={"body": "It began in a glass lift. The doors opened."}, tags=[],
        base_version=1,
    )  # fmt: skip
    page.context.set_offline(False)
    item = page.locator("[data-send-queue] li")
    expect(item).to_contain_text("merge", timeout=15_000)
    item.get_by_role("link", name="Merge it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("changed while you were editing")
    expect(page.locator("fieldset.merge__passage")).to_contain_text("rusty")  # no words lost
    # On its merge page the entry says so, rather than linking to the page itself.
    expect(item).to_contain_text("Its merge is on this page")
    expect(item.get_by_role("link", name="Merge it")).to_have_count(0)
    dream.refresh_from_db()
    assert "glass" in dream.body and dream.version == 2
    page.get_by_role("radio", name=re.compile("Yours")).check()
    page.get_by_role("button", name="Save the merged dream").click()
    expect(page.locator(".dream__body")).to_contain_text("rusty lift")
    # Merged: the queue's entry has done its work and leaves the list.
    expect(page.locator("[data-send-queue] li")).to_have_count(0)
    page.goto("/")
    expect(page.locator("[data-send-queue] li")).to_have_count(0)


def _contrast(one: str, other: str) -> float:
    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(one), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_each_merge_choice_reads_on_one_line_with_its_radio(new_page, writer, log_in, scheme):
    """The radio sits beside the first words of its choice (it stood above them), and the
    line that marks a change saved elsewhere can be seen (3:1 against the page)."""
    dream = entries.create_entry(
        owner=writer, changes={"title": "Glass", "body": "A mirror in the hall. A moth."}, tags=[]
    )
    entries.save_edit(
        dream, changes={"body": "A cracked mirror in the hall. A moth. A door."}, tags=[],
        base_version=1,
    )  # fmt: skip
    key = uuid.uuid4()
    entries.save_draft(
        owner=writer, key=key, dream=dream, title="Glass",
        body="A silver mirror in the hall. A moth.", fields={"visibility": "private"},
        base_version=1,
    )  # fmt: skip
    page = log_in(new_page(**PHONE, scheme=scheme), writer)
    page.goto(f"/dreams/{dream.pk}/merge/?draft={key}")
    choices = page.locator("fieldset.merge__passage label.merge__choice")
    expect(choices).to_have_count(3)
    for index in range(3):
        radio, words = choices.nth(index).evaluate(
            """label => {
                const radio = label.querySelector("input").getBoundingClientRect();
                const range = document.createRange();
                range.selectNodeContents(label);
                range.setStartAfter(label.querySelector("input"));
                const line = range.getClientRects()[0];
                return [[radio.top, radio.bottom], [line.top, line.bottom]];
            }"""
        )
        middle = (radio[0] + radio[1]) / 2
        assert words[0] - 2 <= middle <= words[1] + 2, (index, radio, words)
    saved = page.locator(".merge__text .merge__saved").first
    line = saved.evaluate("e => getComputedStyle(e).borderLeftColor")
    ground = saved.evaluate(
        """e => {
            for (; e; e = e.parentElement) {
                const colour = getComputedStyle(e).backgroundColor;
                if (!colour.startsWith("rgba") || !colour.endsWith(", 0)")) return colour;
            }
            return getComputedStyle(document.documentElement).backgroundColor;
        }"""
    )
    assert _contrast(line, ground) >= 3, (line, ground)
