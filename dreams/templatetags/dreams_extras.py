from django import template

register = template.Library()


@register.filter
def choice_for(suggestion, posted: dict) -> str:
    """The choice a motif suggestion shows: what the form posted, else the dream's own."""
    return suggestion.choice(posted or {})
