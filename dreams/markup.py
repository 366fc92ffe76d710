"""Markdown source -> safe HTML, in one place."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser

import markdown
import nh3

from dreams import motifs

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "blockquote", "ul", "ol", "li", "code", "pre",
    "h2", "h3", "h4", "h5", "h6", "a", "abbr", "sup", "sub", "mark", "table", "thead", "tbody",
    "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
# No javascript:, data: or anything else that can run: only these link schemes survive.
URL_SCHEMES = {"http", "https", "mailto"}
_HEADING = re.compile(r"<(/?)h([1-6])\b")


def render(source: str) -> str:
    """HTML for a narrative. Raw HTML in the source is escaped by Markdown or removed by nh3."""
    html = markdown.markdown(
        source, extensions=["extra", "sane_lists", "smarty"], output_format="html"
    )
    # The page's own title is the h1: a "# heading" in a narrative becomes an h2, and so on.
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<[^>]*>|[*_`#>~\[\]]+")


def quick_plain_text(source: str) -> str:
    """Plain words from Markdown without rendering it: for card openings, many to a page.
    The result is text for autoescaping templates, never HTML."""
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


def highlight_motifs(safe_html: str, *, shown: Iterable, href: Callable) -> str:
    """Mark where each of these motifs' words occur in already sanitised HTML, as links."""
    shown = list(shown)
    if not shown:
        return safe_html
    lexicon = motifs.Lexicon(
        [motifs.LexiconEntry(m.slug, m.name, m.category, tuple(m.aliases)) for m in shown]
    )
    parser = _MotifHighlighter(lexicon=lexicon, links={m.slug: (href(m), m.name) for m in shown})
    parser.feed(safe_html)
    parser.close()
    return "".join(parser.out)
