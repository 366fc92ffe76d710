import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from dreams import exporting, markup
from dreams.models import Dream, Motif


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        '<a href="javascript:alert(1)">x</a>',
        "<svg><script>alert(1)</script></svg>",
        '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
        "<iframe src=//evil></iframe>",
    ],
)
def test_nothing_runnable_survives(source):
    html = markup.render(source)
    tags = _Tags()
    tags.feed(html)
    assert tags.names <= markup.ALLOWED_TAGS
    for name, value in tags.attributes:
        assert not name.startswith("on")
        if name in {"href", "src"}:
            assert re.match(r"(https?|mailto):|#fn", value), value
    # Shown as typed, escaped: "&lt;script" is text, "<script" would be a tag.
    for needle in ("<script", "<iframe", "<svg", "<img", "<div"):
        assert needle not in html.lower()


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def test_markdown_renders_emphasis_lists_and_safe_links():
    html = markup.render("*felt* **real**\n\n- one\n- two\n\n[site](https://example.org)")
    assert "<em>felt</em>" in html and "<strong>real</strong>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.org"' in html and 'rel="nofollow noopener noreferrer"' in html


def test_plain_text_unescapes_entities_and_shows_html_as_typed():
    assert markup.plain_text("Tom & *Jerry* <b>x</b>") == "Tom & Jerry <b>x</b>"
    assert markup.quick_plain_text("Tom & *Jerry* <b>x</b>") == "Tom & Jerry <b>x</b>"


def motif(slug, name, aliases=()):
    return Motif(slug=slug, name=name, category="object", aliases=list(aliases))


def test_highlight_links_motif_words_but_not_inside_links_or_code():
    html = markup.render("Mirrors and a [mirror](https://x.org) and `mirror` & a <b>Mirror</b>.")
    marked = markup.highlight_motifs(
        html, shown=[motif("mirror", "Mirror", ["mirrors"])], href=lambda m: f"/m/{m.slug}"
    )
    assert marked.count('class="motif-mark"') == 2
    assert '<a class="motif-mark" href="/m/mirror" title="Motif: Mirror">Mirrors</a>' in marked
    assert '<mark class="motif-mark" title="Motif: Mirror">Mirror</mark>' in marked
    assert "<code>mirror</code>" in marked
    assert "&amp;" in marked


def test_highlight_escapes_text_and_keeps_markup_inert():
    html = markup.render("a mirror &lt;script&gt;alert(1)&lt;/script&gt;")
    marked = markup.highlight_motifs(
        html, shown=[motif("mirror", "Mirror")], href=lambda m: "/m/mirror"
    )
    assert "<script" not in marked


def test_narrative_headings_sit_below_the_page_title():
    html = markup.render("# The flooded library\n\nWater to the knees.\n\n## Later")
    assert "<h2>The flooded library</h2>" in html and "<h3>Later</h3>" in html
    assert "<h1" not in html


def _flat(html: str) -> str:
    """The HTML without the newlines cmark puts beside tags."""
    return re.sub(r"\n+(?=<)|(?<=>)\n+", "", html.strip())


# Markdown as journal keepers type it, each kind from the bug reports, with the HTML expected.
TYPED = [
    pytest.param(
        "I was in a house.\nThe walls were water.",
        "<p>I was in a house.<br>The walls were water.</p>",
        id="one Enter is a line break",
    ),
    pytest.param(
        "I was in a house.\n\nThen I woke.",
        "<p>I was in a house.</p><p>Then I woke.</p>",
        id="a blank line is a new paragraph",
    ),
    pytest.param(
        "Things I saw:\n- a cat\n- an umbrella",
        "<p>Things I saw:</p><ul><li>a cat</li><li>an umbrella</li></ul>",
        id="bullets right after a line",
    ),
    pytest.param(
        "The trains:\n1. red\n2. blue",
        "<p>The trains:</p><ol><li>red</li><li>blue</li></ol>",
        id="numbers right after a line",
    ),
    pytest.param(
        "- house\n  - attic\n    - a box\n- garden",
        "<ul><li>house<ul><li>attic<ul><li>a box</li></ul></li></ul></li><li>garden</li></ul>",
        id="bullets nested by 2 spaces",
    ),
    pytest.param(
        "- house\n   - attic\n- garden",
        "<ul><li>house<ul><li>attic</li></ul></li><li>garden</li></ul>",
        id="bullets nested by 3 spaces",
    ),
    pytest.param(
        "- house\n    - attic\n- garden",
        "<ul><li>house<ul><li>attic</li></ul></li><li>garden</li></ul>",
        id="bullets nested by 4 spaces",
    ),
    pytest.param(
        "- house\n\t- attic",
        "<ul><li>house<ul><li>attic</li></ul></li></ul>",
        id="bullets nested by a tab",
    ),
    pytest.param(
        "1. the hall\n2. the stairs\n  1. up\n  2. down\n3. the roof",
        "<ol><li>the hall</li><li>the stairs<ol><li>up</li><li>down</li></ol></li>"
        "<li>the roof</li></ol>",
        id="numbers nested by 2 spaces are not renumbered",
    ),
    pytest.param(
        "1. the hall\n  - dark\n  - cold\n2. the stairs",
        "<ol><li>the hall<ul><li>dark</li><li>cold</li></ul></li><li>the stairs</li></ol>",
        id="bullets under a number by 2 spaces",
    ),
    pytest.param(
        "10. ten\n  1. inner",
        '<ol start="10"><li>ten<ol><li>inner</li></ol></li></ol>',
        id="nested under a two-digit number",
    ),
    pytest.param(
        "3. third\n4. fourth",
        '<ol start="3"><li>third</li><li>fourth</li></ol>',
        id="a list keeps its first number",
    ),
    pytest.param(
        "1. one\n2. two\n\nA pause.\n\n3. three",
        '<ol><li>one</li><li>two</li></ol><p>A pause.</p><ol start="3"><li>three</li></ol>',
        id="numbering goes on after a paragraph",
    ),
    pytest.param(
        "* star\n  + plus\n    - dash",
        "<ul><li>star<ul><li>plus<ul><li>dash</li></ul></li></ul></li></ul>",
        id="any bullet mark",
    ),
    pytest.param(
        "Lists:\n* one\n  * two\n\nAfter the list.",
        "<p>Lists:</p><ul><li>one<ul><li>two</li></ul></li></ul><p>After the list.</p>",
        id="a paragraph after a nested list",
    ),
    pytest.param(
        "> I said\n> - this\n>   - and that",
        "<blockquote><p>I said</p><ul><li>this<ul><li>and that</li></ul></li></ul></blockquote>",
        id="a nested list in a quote",
    ),
    pytest.param(
        "1. item\n  ```\n  code\n   kept\n  ```\n2. next",
        "<ol><li>item<pre><code>code\n kept</code></pre></li><li>next</li></ol>",
        id="a code fence moves with its item",
    ),
    pytest.param(
        '*felt* **real** ~~gone~~ "said" -- then...',
        "<p><em>felt</em> <strong>real</strong> <del>gone</del> “said” – then…</p>",
        id="emphasis and typography",
    ),
    pytest.param(
        "I saw <the thing> and <b>bold</b> <span onclick=x>claims</span>",
        "<p>I saw &lt;the thing&gt; and &lt;b&gt;bold&lt;/b&gt; "
        "&lt;span onclick=x&gt;claims&lt;/span&gt;</p>",
        id="HTML shown as typed",
    ),
    pytest.param(
        "<div>\nA block\n</div>\n\n<!-- a note -->",
        "<p>&lt;div&gt;<br>A block<br>&lt;/div&gt;</p><p>&lt;!– a note –&gt;</p>",
        id="HTML blocks shown as typed",
    ),
    pytest.param(
        "`<b>` and\n```\n<i>\n```\n<https://example.org>",
        "<p><code>&lt;b&gt;</code> and</p><pre><code>&lt;i&gt;</code></pre>"
        '<p><a href="https://example.org" rel="nofollow noopener noreferrer">'
        "https://example.org</a></p>",
        id="code and autolinks keep their angle brackets",
    ),
    pytest.param(
        "[the map](<my map.html>) and \\<b> typed escaped",
        '<p><a href="my%20map.html" rel="nofollow noopener noreferrer">the map</a> and '
        "&lt;b&gt; typed escaped</p>",
        id="angle-bracket link destinations and escapes",
    ),
]


@pytest.mark.parametrize(("source", "expected"), TYPED)
def test_markdown_as_journal_keepers_type_it(source, expected):
    assert _flat(markup.render(source)) == expected


TYPED_DREAM = (
    "I was in a house.\nThe walls were water.\n"
    "Things I saw:\n1. a cat\n  1. black\n2. an <umbrella>\n\nThen I woke."
)


def test_the_same_dream_reads_the_same_in_preview_page_card_and_export(client, user, make_dream):
    dream = make_dream(user, body=TYPED_DREAM, visibility=Dream.Visibility.SHARED)
    expected = markup.render(TYPED_DREAM)
    assert "<ol><li>a cat<ol><li>black" in _flat(expected)
    client.force_login(user)
    preview = client.post(reverse("dreams:preview"), {"body": TYPED_DREAM}).content.decode()
    assert _flat(expected) in _flat(preview)
    page = client.get(dream.get_absolute_url()).content.decode()
    unmarked = re.sub(r'<(a|mark) class="motif-mark"[^>]*>(.*?)</\1>', r"\2", page)
    assert _flat(expected) in _flat(unmarked)
    card = client.get("/").content.decode()
    assert "I was in a house. The walls were water. Things I saw: 1. a cat 1. black" in card
    assert "2. an &lt;umbrella&gt;" in card  # the card's words are the page's words
    exported = json.loads(b"".join(exporting.export_json(user)))["dreams"][0]["body"]
    assert exported == TYPED_DREAM  # exports keep the text exactly as typed
