"""Importing real spreadsheet files on a phone: a Windows-1252 semicolon table with German
headers and day-first dates, ambiguous US dates switched in the preview, the page saying
"Imported" at the end and later."""

import re

from playwright.sync_api import expect

from dreams import entries, exporting
from dreams.models import Dream

PHONE = {"width": 390, "height": 844}


def test_a_german_excel_csv_imports_with_its_umlauts_and_dates(new_page, writer, log_in,
                                                               tmp_path):  # fmt: skip
    path = tmp_path / "Träume.csv"
    path.write_bytes(
        (
            "Datum;Traum;Titel\r\n"
            "03.04.2021;Ich träumte von einer Brücke über grünes Wasser.;Die Brücke\r\n"
            "14.04.2021;Ein großer Hund, und meine Großmutter sagte „Grüß Gott“.;Der Hund\r\n"
        ).encode("cp1252")
    )
    page = log_in(new_page(**PHONE, timezone_id="Pacific/Kiritimati"), writer)
    page.goto("/import/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator(".lede")).to_contain_text("2 will be created")
    expect(page.locator(".help").first).to_contain_text("Windows-1252")
    expect(page.locator(".preview-table")).to_contain_text("14 Apr 2021")
    expect(page.locator(".preview-table")).to_contain_text("Die Brücke")
    page.reload()  # the preview is kept: nothing is read again, nothing changes
    expect(page.locator(".lede")).to_contain_text("2 will be created")
    page.get_by_role("button", name=re.compile("Import 2 dreams")).click()
    expect(page.locator("#import-done")).to_contain_text("Imported: 2 created")
    expect(page.locator("h1")).not_to_contain_text("Importing")
    page.get_by_role("link", name="See the import").click()
    expect(page).to_have_title(re.compile("^Imported"))
    page.reload()  # later, the same page still says how it ended
    expect(page.locator("#import-done")).to_contain_text("Imported: 2 created")
    assert Dream.objects.filter(owner=writer).count() == 2
    hund = Dream.objects.get(owner=writer, title="Der Hund")
    assert "„Grüß Gott“" in hund.body and str(hund.dreamt_on) == "2021-04-14"


def test_ambiguous_dates_are_shown_and_switched(new_page, writer, log_in, tmp_path):
    path = tmp_path / "journal.csv"
    path.write_bytes("\ufeffdate,text\r\n3/4/21,A moth at the window.\r\n5/6/21,A lift.\r\n"
                     .encode("utf-8"))  # fmt: skip
    page = log_in(new_page(**PHONE), writer)
    page.goto("/import/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("#ambiguous-dates")).to_contain_text("3/4/21 → 4 Mar 2021")
    page.get_by_label("Day first: 3/4/21 is 3 April").check()
    page.get_by_role("button", name="Read the file again").click()
    expect(page.locator("#ambiguous-dates")).to_have_count(0)
    expect(page.locator(".preview-table")).to_contain_text("3 Apr 2021")
    page.get_by_role("button", name=re.compile("Import 2 dreams")).click()
    expect(page.locator("#import-done")).to_contain_text("2 created")
    assert str(Dream.objects.get(owner=writer, body__contains="moth").dreamt_on) == "2021-04-03"


def test_an_export_with_shared_dreams_comes_in_private_unless_kept_shared(
    new_page, writer, log_in, tmp_path, make_user
):
    author = make_user("author")
    for title, visibility in (("Told everyone", "shared"), ("Kept to myself", "private")):
        entries.save_dream(
            Dream(owner=author, title=title, body=f"{title}.", visibility=visibility)
        )
    path = tmp_path / "somnia.json"
    path.write_bytes(b"".join(exporting.export_json(author)))
    page = log_in(new_page(**PHONE, has_touch=True, is_mobile=True), writer)
    for keep in (False, True):
        page.goto("/import/")
        page.set_input_files("#id_file", str(path))
        page.get_by_role("button", name="Preview the import").click()
        note = page.locator("#import-shared")
        expect(note).to_contain_text("1 of these dreams was shared")
        box = note.get_by_label(re.compile("Keep it shared here"))
        expect(box).not_to_be_checked()
        assert box.bounding_box()["width"] > 0 and note.bounding_box()["width"] <= 390
        if keep:
            note.get_by_text("Keep it shared here").tap()
            expect(box).to_be_checked()
        page.get_by_role("button", name=re.compile("Import 2 dreams")).click()
        expect(page.locator("#import-done")).to_contain_text("2 created")
        shared = Dream.objects.filter(owner=writer).shared().values_list("title", flat=True)
        assert list(shared) == (["Told everyone"] if keep else [])
        Dream.objects.filter(owner=writer).delete()
