from __future__ import annotations

from django import template
from django.utils.translation import get_language

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


@register.filter
def lang_part(label):
    """'Indonesian / English' choice labels: the part of the current language."""
    parts = str(label).split(" / ", 1)
    if len(parts) == 1:
        return parts[0]
    return parts[1] if (get_language() or "id").startswith("en") else parts[0]
