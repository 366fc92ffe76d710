import pytest

from dreams import markup
from dreams.models import Motif


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
    html = markup.render(source).lower()
    for needle in ("<script", "onerror", "onload", "onclick", "javascript:", "data:", "<iframe"):
        assert needle not in html


def test_markdown_renders_emphasis_lists_and_safe_links():
    html = markup.render("*felt* **real**\n\n- one\n- two\n\n[site](https://example.org)")
    assert "<em>felt</em>" in html and "<strong>real</strong>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.org"' in html and 'rel="nofollow noopener noreferrer"' in html


def test_plain_text_unescapes_entities():
    assert markup.plain_text("Tom & *Jerry* <b>x</b>") == "Tom & Jerry x"


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
