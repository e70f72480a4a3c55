from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ desks|get_item:code }}`: a dict lookup by a variable key."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def minutes(seconds):
    """Seconds as minutes with one decimal ("-" when unknown)."""
    if seconds is None:
        return "-"
    return f"{seconds / 60:.1f}"
