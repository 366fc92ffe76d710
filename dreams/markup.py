"""Markdown source -> safe HTML, in one place."""

from __future__ import annotations

import html

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "blockquote", "ul", "ol", "li", "code", "pre",
    "h2", "h3", "h4", "h5", "h6", "a", "abbr", "sup", "sub", "mark", "table", "thead", "tbody",
    "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
# No javascript:, data: or anything else that can run: only these link schemes survive.
URL_SCHEMES = {"http", "https", "mailto"}


def render(source: str) -> str:
    """HTML for a narrative. Raw HTML in the source is escaped by Markdown or removed by nh3."""
    html = markdown.markdown(
        source, extensions=["extra", "sane_lists", "smarty"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def plain_text(source: str) -> str:
    """The narrative without markup, for openings and search snippets."""
    return " ".join(html.unescape(nh3.clean(render(source), tags=set())).split())
