"""Insights and import in a real browser."""

import datetime
import re

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from dreams import entries
from dreams.models import Dream


def test_insights_draw_and_pass_axe(new_page, writer, log_in):
    today = timezone.localdate()
    for days, body in enumerate(["A mirror and a moth.", "A moth, a mirror, a wolf.", "A wolf."]):
        day = today - datetime.timedelta(days=days * 20)  # dated: undated dreams draw no days
        entries.save_dream(Dream(owner=writer, title="d", body=body, lucid=True, dreamt_on=day))
    page = log_in(new_page(scheme="dark"), writer)
    page.goto("/insights/")
    for selector in (".heatmap", ".bar-chart", ".share-chart", ".hbar-chart", ".graph"):
        expect(page.locator(selector).first).to_be_visible()
    page.get_by_text("The strongest pairs as a table").click()
    pair = re.compile("Mirror and Moth|Moth and Mirror")
    expect(page.locator("table").last).to_contain_text(pair)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_importing_a_csv_shows_a_preview_then_progress(new_page, writer, log_in, tmp_path):
    path = tmp_path / "journal.csv"
    path.write_text('date,dream\n(8/11/67),"A red door."\n2024-03-01,"A wolf."\n')
    page = log_in(new_page(width=390, height=844), writer)
    page.goto("/import/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator(".lede")).to_contain_text("2 will be created")
    expect(page.locator(".preview-table")).to_contain_text("11 Aug 1967")
    page.get_by_role("button", name=re.compile("Import 2 dreams")).click()
    expect(page.locator(".note-ok")).to_contain_text("2 created")
    assert Dream.objects.filter(owner=writer).count() == 2


def test_on_a_phone_the_calendar_opens_on_the_newest_days(new_page, writer, log_in):
    # The year does not fit 390 px: the part in view is the one with last night's dream.
    entries.save_dream(
        Dream(owner=writer, title="d", body="A heron.", dreamt_on=timezone.localdate())
    )
    page = log_in(new_page(width=390, height=844), writer)
    page.goto("/insights/")
    last_night = page.locator(".heatmap rect.heat:not(.heat--0)")
    expect(last_night).to_have_count(1)
    chart = page.locator(".chart").filter(has=page.locator(".heatmap")).bounding_box()
    box = last_night.bounding_box()
    assert chart["x"] <= box["x"] and box["x"] + box["width"] <= chart["x"] + chart["width"]


def test_on_a_phone_the_charts_keep_their_own_size_and_scroll_sideways(new_page, writer, log_in):
    # Shrunk to 390 px, their 11 px labels were 6-7 px: unreadable.
    today = timezone.localdate()
    for days, body in enumerate(["A mirror and a moth.", "A moth, a mirror, a wolf."]):
        day = today - datetime.timedelta(days=days * 40)
        entries.save_dream(Dream(owner=writer, title="d", body=body, dreamt_on=day))
    page = log_in(new_page(width=390, height=844), writer)
    page.goto("/insights/")
    scales = page.locator(".heatmap, .bar-chart, .share-chart, .hbar-chart").evaluate_all(
        "svgs => svgs.map((svg) => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width)"
    )
    assert len(scales) == 6 and all(0.99 <= scale <= 1.01 for scale in scales)
    for chart in page.locator(".chart:has(.hbar-chart), .chart:has(.bar-chart)").all():
        assert chart.get_attribute("tabindex") == "0"  # a keyboard can scroll it
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_wide_screen_no_chart_scrolls(new_page, writer, log_in):
    entries.save_dream(
        Dream(owner=writer, title="d", body="A moth.", dreamt_on=timezone.localdate())
    )
    page = log_in(new_page(width=1280, height=900), writer)
    page.goto("/insights/")
    expect(page.locator(".heatmap")).to_be_visible()
    overflowing = page.locator(".chart").evaluate_all(
        "charts => charts.filter((c) => c.scrollWidth > c.clientWidth + 1).length"
    )
    assert overflowing == 0
