import datetime
import random
import xml.etree.ElementTree as ET

import pytest

from dreams import insight_charts as ic

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<b>&"'
END = datetime.date(2026, 3, 15)  # a Sunday: the 53 weeks are complete


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    return root


def by_class(root: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if css_class in e.get("class", "").split()]


def viewbox(root: ET.Element) -> tuple[float, float]:
    _, _, width, height = map(float, root.get("viewBox").split())
    return width, height


def graph_input(count=40, links=120, seed=3):
    rng = random.Random(seed)
    nodes = [(f"motif-{i}", f"Motif {i}", rng.randint(1, 80)) for i in range(count)]
    edges = []
    while len(edges) < links:
        a, b = rng.sample(range(count), 2)
        edges.append((nodes[a][0], nodes[b][0], rng.randint(1, 9)))
    return nodes, edges


def every_chart(name: str, label: str) -> list[str]:
    day = END - datetime.timedelta(days=3)
    return [
        ic.calendar_heatmap({day: 2}, end=END, label=label),
        ic.bar_chart([(name, 3), ("Feb 2026", 5)], label=label),
        ic.share_chart([(name, 4, 1, 2)], label=label),
        ic.horizontal_bars([(name, 7, "/motifs/x/")], label=label),
        ic.cooccurrence_graph([("x", name, 3), ("y", "Y", 1)], [("x", "y", 1)], label=label),
    ]


def test_every_chart_is_a_labelled_svg_picture_with_names_escaped():
    for svg in every_chart(NASTY, f"Label {NASTY}"):
        root = parse(svg)
        assert root.get("aria-label") == f"Label {NASTY}"
        assert 'aria-label="Label &lt;b&gt;&amp;&quot;"' in svg
        assert "<b>" not in svg
        assert 'style="' not in svg and "fill=" not in svg  # colours come from the stylesheet


def test_every_chart_handles_empty_input():
    charts = [
        ic.calendar_heatmap({}, end=END, label="none"),
        ic.bar_chart([], label="none"),
        ic.share_chart([], label="none"),
        ic.horizontal_bars([], label="none"),
        ic.cooccurrence_graph([], [], label="none"),
    ]
    for svg in charts:
        assert parse(svg).get("aria-label") == "none"
    for svg in charts[1:]:
        assert "No data yet" in svg


# Calendar heatmap


def test_the_heatmap_has_a_cell_for_each_day_of_53_weeks_ending_at_end():
    root = parse(ic.calendar_heatmap({}, end=END, label="Dreams per day"))
    cells = by_class(root, "rect", "heat")
    assert len(cells) == 53 * 7 == 371
    titles = [cell.find(f"{SVG}title").text for cell in cells]
    assert titles[-1] == "No dreams on 15 Mar 2026"
    assert titles[0] == f"No dreams on {(END - datetime.timedelta(days=370)).day} Mar 2025"
    # Columns are weeks starting on Monday, rows Monday..Sunday.
    first, last = cells[0], cells[-1]
    assert float(first.get("y")) < float(cells[1].get("y"))
    assert float(last.get("x")) > float(first.get("x"))
    labels = [t.text for t in by_class(root, "text", "chart__label")]
    assert {"Mon", "Wed", "Fri", "Apr", "2026"} <= set(labels)


def test_a_heatmap_ending_mid_week_stops_at_end():
    wednesday = datetime.date(2026, 3, 11)
    root = parse(ic.calendar_heatmap({}, end=wednesday, label="x"))
    cells = by_class(root, "rect", "heat")
    assert len(cells) == 52 * 7 + 3
    assert cells[-1].find(f"{SVG}title").text == "No dreams on 11 Mar 2026"
    assert len({cell.get("x") for cell in cells}) == 53


def test_the_busiest_day_gets_the_darkest_level_and_counts_are_in_the_titles():
    counts = {END - datetime.timedelta(days=i): 1 + i % 7 for i in range(0, 200, 2)}
    counts[END - datetime.timedelta(days=5)] = 12
    counts[END + datetime.timedelta(days=3)] = 99  # after the end: ignored
    root = parse(ic.calendar_heatmap(counts, end=END, label="x"))
    cells = {c.find(f"{SVG}title").text: c.get("class") for c in by_class(root, "rect", "heat")}
    assert cells["12 dreams on 10 Mar 2026"] == "heat heat--4"
    assert cells["1 dream on 15 Mar 2026"] == "heat heat--1"
    assert cells["No dreams on 14 Mar 2026"] == "heat heat--0"
    levels = [int(cls.rsplit("--", 1)[1]) for cls in cells.values()]
    assert set(levels) == {0, 1, 2, 3, 4}


def test_heat_levels_rank_counts():
    assert ic.heat_levels([0, 0]) == {}
    assert ic.heat_levels([1, 1, 1]) == {1: 4}
    assert ic.heat_levels([1, 1, 2, 1]) == {1: 2, 2: 4}
    levels = ic.heat_levels(list(range(1, 101)))
    assert levels[1] == 1 and levels[100] == 4
    assert [levels[v] for v in (10, 40, 60, 90)] == [1, 2, 3, 4]
    assert all(levels[a] <= levels[b] for a, b in zip(range(1, 100), range(2, 101), strict=True))


# Vertical bars


def test_bar_heights_are_proportional_to_the_counts():
    items = [("Jan 2026", 2), ("Feb 2026", 8), ("Mar 2026", 4), ("Apr 2026", 0)]
    root = parse(ic.bar_chart(items, label="Dreams per month"))
    bars = by_class(root, "rect", "bar")
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[3] == 0
    assert heights[1] == pytest.approx(4 * heights[0], abs=0.2)
    assert heights[1] == pytest.approx(2 * heights[2], abs=0.2)
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars}
    assert len(bottoms) == 1  # they stand on one baseline
    assert bars[1].find(f"{SVG}title").text == "Feb 2026: 8 dreams"
    assert len(by_class(root, "line", "chart__grid")) == 3
    values = [t.text for t in by_class(root, "text", "chart__value")]
    assert values == ["2", "8", "4"]


def test_bar_labels_are_thinned_but_the_latest_is_kept():
    items = [(f"M{i:02}", i) for i in range(36)]
    root = parse(ic.bar_chart(items, label="x", unit="night"))
    labels = [t.text for t in by_class(root, "text", "chart__label") if t.text.startswith("M")]
    assert 2 <= len(labels) <= 12
    assert labels[-1] == "M35"
    assert len(by_class(root, "rect", "bar")) == 36
    assert "M01: 1 night<" in ic.bar_chart(items, label="x", unit="night")


# Lucid and nightmare share


def test_share_chart_draws_the_percentages():
    series = [("Jan", 4, 1, 2), ("Feb", 0, 0, 0), ("Mar", 10, 10, 0)]
    assert ic.shares(series) == [("Jan", 25.0, 50.0), ("Feb", 0.0, 0.0), ("Mar", 100.0, 0.0)]
    root = parse(ic.share_chart(series, label="Lucid and nightmare share"))
    grid = sorted(float(line.get("y1")) for line in by_class(root, "line", "chart__grid"))
    top, middle, bottom = grid  # 100%, 50%, 0%

    def heights(kind):
        dots = by_class(root, "circle", f"dot--{kind}")
        return [(bottom - float(d.get("cy"))) / (bottom - top) * 100 for d in dots]

    assert heights("lucid") == pytest.approx([25, 0, 100], abs=0.2)
    assert heights("nightmare") == pytest.approx([50, 0, 0], abs=0.2)
    assert middle == pytest.approx((top + bottom) / 2)
    assert len(by_class(root, "polyline", "line--lucid")) == 1
    assert len(by_class(root, "polyline", "line--nightmare")) == 1
    assert by_class(root, "rect", "swatch--lucid") and by_class(root, "rect", "swatch--nightmare")
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Jan: 25% lucid (1 of 4)" in titles and "Jan: 50% nightmares (2 of 4)" in titles
    assert {t.text for t in by_class(root, "text", "chart__label")} >= {"0%", "50%", "100%"}


# Horizontal bars


def test_horizontal_bars_rank_without_links():
    items = [("Mirror", 12, "/motifs/mirror/"), ("Water", 6, "/motifs/water/")]
    svg = ic.horizontal_bars(items, label="Top motifs")
    root = parse(svg)
    widths = [float(bar.get("width")) for bar in by_class(root, "rect", "bar")]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.2)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Mirror", "12", "Water", "6"]
    assert "href" not in svg and "<a" not in svg


# Co-occurrence graph


def test_the_graph_is_deterministic_and_independent_of_input_order():
    nodes, edges = graph_input()
    first = ic.cooccurrence_graph(nodes, edges, label="Motifs together")
    assert ic.cooccurrence_graph(nodes, edges, label="Motifs together") == first
    shuffled_nodes, shuffled_edges = nodes[:], edges[:]
    random.Random(9).shuffle(shuffled_nodes)
    random.Random(9).shuffle(shuffled_edges)
    assert ic.cooccurrence_graph(shuffled_nodes, shuffled_edges, label="Motifs together") == first


def test_the_graph_keeps_every_node_inside_the_picture():
    for count, links in ((40, 120), (12, 30), (3, 0), (2, 1), (1, 0)):
        nodes, edges = graph_input(count, links) if count > 1 else ([("a", "A", 5)], [])
        root = parse(ic.cooccurrence_graph(nodes, edges, label="x"))
        width, height = viewbox(root)
        circles = by_class(root, "circle", "node")
        assert len(circles) == count
        for c in circles:
            x, y, r = float(c.get("cx")), float(c.get("cy")), float(c.get("r"))
            assert 6 <= r <= 28
            assert r <= x <= width - r and r <= y <= height - r
        assert len(by_class(root, "text", "node__label")) == count


def test_bigger_counts_get_bigger_circles_and_heavier_edges_thicker_lines():
    nodes = [("mirror", "Mirror", 12), ("water", "Water", 3), ("teeth", "Teeth", 1)]
    edges = [("mirror", "water", 5), ("water", "teeth", 1), ("teeth", "nowhere", 4)]
    root = parse(ic.cooccurrence_graph(nodes, edges, label="x"))
    radius = {
        c.find(f"{SVG}title").text: float(c.get("r")) for c in by_class(root, "circle", "node")
    }
    assert radius["Mirror: 12 dreams"] > radius["Water: 3 dreams"] > radius["Teeth: 1 dream"]
    assert radius["Mirror: 12 dreams"] == 28 and radius["Teeth: 1 dream"] > 6
    lines = by_class(root, "line", "edge")
    assert len(lines) == 2  # the edge to an unknown slug is dropped
    strokes = {line.find(f"{SVG}title").text: float(line.get("stroke-width")) for line in lines}
    assert strokes == {
        "Mirror and Water: 5 dreams together": 6.0,
        "Teeth and Water: 1 dream together": 1.0,
    }


def test_a_big_graph_is_laid_out_without_overlaps():
    nodes, edges = graph_input()
    root = parse(ic.cooccurrence_graph(nodes, edges, label="x"))
    circles = [
        (float(c.get("cx")), float(c.get("cy")), float(c.get("r")))
        for c in by_class(root, "circle", "node")
    ]
    overlaps = sum(
        1
        for i, (x1, y1, r1) in enumerate(circles)
        for x2, y2, r2 in circles[i + 1 :]
        if (x1 - x2) ** 2 + (y1 - y2) ** 2 < (r1 + r2 - 1) ** 2
    )
    assert overlaps == 0
