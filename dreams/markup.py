"""Markdown source -> safe HTML, in one place."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser

import cmarkgfm
import nh3
from cmarkgfm import cmark

from dreams import motifs
from dreams.typed_markdown import as_commonmark

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "blockquote", "ul", "ol", "li", "code", "pre",
    "h2", "h3", "h4", "h5", "h6", "a", "abbr", "sup", "sub", "mark",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "ol": {"start"},
    "li": {"id"},
}
# No javascript:, data: or anything else that can run: only these link schemes survive.
URL_SCHEMES = {"http", "https", "mailto"}
# The only ids kept are cmark's footnote anchors, so a note's link and its way back work.
_FOOTNOTE_ID = re.compile(r"fn(?:ref)?-\d{1,4}(?:-\d{1,4})?")
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)")
_VOID = {"br", "hr", "img", "input"}
# Lists and quotes are capped well below this before parsing (dreams/typed_markdown.py).
MAX_HTML_DEPTH = 40

# cmark (CommonMark's reference parser in C) runs in time linear in the text for any input,
# unlike Python-Markdown, whose link, setext and list rules are quadratic (see the README).
_CMARK_OPTIONS = (
    cmark.Options.CMARK_OPT_HARDBREAKS  # one Enter is a line break, as in a chat
    | cmark.Options.CMARK_OPT_SMART  # “curly quotes”, en and em dashes, ellipses
    | cmark.Options.CMARK_OPT_FOOTNOTES
)
# No tables: a wide header over many short rows makes output grow as columns x rows, and a
# table typed as text reads well enough ("|" kept). No raw HTML tables either, for the same.
_CMARK_EXTENSIONS = ("strikethrough", "autolink")


def render(source: str) -> str:
    """HTML for a narrative, the same for the page, the preview and anything else that shows it.

    Markdown as typed in a chat: one Enter is a line break, a list may follow a line of text
    directly, nests by two or more spaces and keeps its first number; HTML is shown as typed.
    Time and output are linear in len(source) for any text: a text whose Markdown would nest
    deeper than MAX_HTML_DEPTH all the same is shown as plain paragraphs, every word kept.
    """
    html = cmarkgfm.markdown_to_html_with_extensions(
        as_commonmark(source), options=_CMARK_OPTIONS, extensions=_CMARK_EXTENSIONS
    )
    if _deeper_than(html, MAX_HTML_DEPTH):
        html = _paragraphs(source)
    # The page's own title is the h1: a "# heading" in a narrative becomes an h2, and so on.
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}", html)
    # nh3 as well, in case anything gets through: its time grows with depth times elements.
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def _deeper_than(html: str, limit: int) -> bool:
    """Whether cmark's (well-formed, escaped) HTML nests elements more than `limit` deep."""
    if html.count("<") <= 2 * limit:
        return False
    depth = 0
    for tag in _TAG.finditer(html):
        if tag[2] not in _VOID:
            depth += -1 if tag[1] else 1
            if depth > limit:
                return True
    return False


def _paragraphs(source: str) -> str:
    """The text as typed, escaped, in paragraphs with line breaks: no structure to nest."""
    return "".join(
        "<p>" + html.escape(part.strip("\n")).replace("\n", "<br>\n") + "</p>\n"
        for part in re.split(r"\n[ \t]*\n", source)
        if part.strip()
    )


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _FOOTNOTE_ID.fullmatch(value) else None
    if attribute == "href" and not value:
        return None  # cmark empties a javascript: link; a link to nowhere is no link
    return value


# Tags stay, as on the page, where HTML is shown as typed.
_MARKUP = re.compile(
    r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|^[ \t]*(?:>[ \t]*)+|[*_`#~\[\]]+", re.MULTILINE
)


def quick_plain_text(source: str) -> str:
    """Plain words from Markdown without rendering it: for card openings, many to a page.
    The result is text for autoescaping templates, never HTML. Linear in len(source) only for
    a bounded source: callers pass an opening."""
    return " ".join(html.unescape(_MARKUP.sub(" ", source)).split())


def plain_text(source: str) -> str:
    """The narrative without markup, for openings and search snippets."""
    return " ".join(html.unescape(nh3.clean(render(source), tags=set())).split())


class _MotifHighlighter(HTMLParser):
    """Re-emits sanitised HTML, wrapping motif words in text (outside links and code)."""

    SKIP = {"a", "code", "pre"}

    def __init__(self, *, lexicon: motifs.Lexicon, links: dict[str, tuple[str, str]]):
        super().__init__(convert_charrefs=True)
        self.lexicon, self.links = lexicon, links
        self.out: list[str] = []
        self.skipping = 0
        self.linked: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIP
        rendered = "".join(
            f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs
        )
        self.out.append(f"<{tag}{rendered}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.skipping -= tag in self.SKIP

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIP
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.skipping:
            self.out.append(html.escape(data, quote=False))
            return
        spans = sorted(
            (span.start, span.end, detection.slug)
            for detection in motifs.detect(data, lexicon=self.lexicon)
            for span in detection.spans
        )
        position = 0
        for start, end, slug in spans:
            if start < position:
                continue
            href, name = self.links[slug]
            self.out.append(html.escape(data[position:start], quote=False))
            words = html.escape(data[start:end])
            if slug in self.linked:
                # Only the first mention is a link: one tab stop per motif, not per word.
                self.out.append(f'<mark class="motif-mark" title="Motif: {html.escape(name)}">')
                self.out.append(f"{words}</mark>")
            else:
                self.linked.add(slug)
                self.out.append(
                    f'<a class="motif-mark" href="{html.escape(href)}" '
                    f'title="Motif: {html.escape(name)}">{words}</a>'
                )
            position = end
        self.out.append(html.escape(data[position:], quote=False))


def highlight_motifs(
    safe_html: str, *, shown: Iterable, href: Callable, lexicon: motifs.Lexicon | None = None
) -> str:
    """Mark where each of these motifs' words occur in already sanitised HTML, as links. With
    a lexicon (the author's), its senses and idioms apply; else the motifs' own words do."""
    shown = list(shown)
    if not shown:
        return safe_html
    if lexicon is not None:
        lexicon = lexicon.only(m.slug for m in shown)
    else:
        lexicon = motifs.Lexicon(
            [motifs.LexiconEntry(m.slug, m.name, m.category, tuple(m.aliases)) for m in shown]
        )
    parser = _MotifHighlighter(lexicon=lexicon, links={m.slug: (href(m), m.name) for m in shown})
    parser.feed(safe_html)
    parser.close()
    return "".join(parser.out)
