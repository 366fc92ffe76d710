import datetime
import xml.etree.ElementTree as ET

from dreams import charts


def test_a_sparkline_is_an_svg_picture_with_a_label():
    svg = charts.sparkline([0, 3, 1, 5], label="Mirror: 9 dreams <over> 4 months")
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label").startswith("Mirror: 9 dreams <")
    ys = [float(p.split(",")[1]) for p in root.find("{*}polyline").get("points").split()]
    assert ys.index(min(ys)) == 3  # the highest count is drawn highest
    ET.fromstring(charts.sparkline([], label="empty"))


def test_month_range_spans_years():
    months = charts.month_range(datetime.date(2025, 11, 5), datetime.date(2026, 2, 1))
    assert [m.isoformat() for m in months] == [
        "2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01"
    ]  # fmt: skip


def test_a_timeline_places_dots_in_date_order_with_escaped_titles():
    svg = charts.timeline(
        [
            (datetime.date(2024, 1, 1), "First <b>", "/dreams/1/"),
            (datetime.date(2026, 1, 1), "Last", "/dreams/2/"),
        ],
        label="When it appeared",
    )
    root = ET.fromstring(svg)
    xs = [float(c.get("cx")) for c in root.iter("{http://www.w3.org/2000/svg}circle")] or [
        float(c.get("cx")) for c in root.iter("circle")
    ]
    assert xs[0] < xs[1]
    assert "First &lt;b&gt;" in svg
    assert charts.timeline([], label="none") == ""
