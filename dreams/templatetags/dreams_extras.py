import datetime
import html

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

register = template.Library()


@register.simple_tag
def motif_options(rows: list[tuple[str, str, int]], chosen: str = "") -> SafeString:
    """<option>s for the gallery's motif menu from (slug, name, dreams) rows, the `chosen` slug
    selected. Hundreds long: joined here, as a template loop costs ~25 times more per row."""
    return mark_safe(
        "".join(
            f'<option value="{html.escape(slug)}"{" selected" if slug == chosen else ""}>'
            f"{html.escape(name)} ({dreams})</option>"
            for slug, name, dreams in rows
        )
    )


@register.filter
def choice_for(suggestion, posted: dict) -> str:
    """The choice a motif suggestion shows: what the form posted, else the dream's own."""
    return suggestion.choice(posted or {})


@register.filter
def tags_seen_by(dream, viewer_id: int | None) -> list[str]:
    """The tag names of `dream` that the user with this pk may see (Dream.tags_for)."""
    return dream.tags_for(viewer_id)


@register.filter
def ago(moment: datetime.datetime | None) -> str:
    """How long ago `moment` was, as a person says it: "just now" under a minute, then the
    largest unit with its plural ("1 minute ago", "3 hours ago", "2 weeks ago"); "" for None."""
    if moment is None:
        return ""
    if timezone.now() - moment < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)} ago"
