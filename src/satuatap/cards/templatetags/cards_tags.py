"""`{% load cards_tags %}{% case_card case %}`: the case's E-KPMI card (number, status, link) on the case page."""

from __future__ import annotations

from django import template

from satuatap.cards import selectors

register = template.Library()


@register.inclusion_tag("cards/_case_card.html", takes_context=True)
def case_card(context, case):
    """The latest card of a case, shown to those who may read the card register (office staff, monitors)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    card = selectors.cards_of_case(case_id=case.pk).first() if case is not None and case.pk else None
    visible = card is not None and user is not None and selectors.user_reads_card(user, card)
    return {"card": card if visible else None}
