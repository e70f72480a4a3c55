"""Small template helpers for the officer pages."""

from __future__ import annotations

from django import template

from satuatap.accounts import selectors as account_selectors

register = template.Library()


@register.filter
def is_company_user(user) -> bool:
    """A placement company's user: they may hold a monitor role, yet are no monitor (the navigation hides what
    they cannot open)."""
    return account_selectors.user_is_company_user(user)
