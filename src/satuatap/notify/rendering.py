"""Message texts: Django templates `notify/<template>.<language>.txt`, Indonesian first, English variants.

The first line of a template is the subject (used by e-mail), the rest after one blank line is the body.
Rendered without HTML escaping (these are plain-text messages), in the message's language.
"""

from __future__ import annotations

import re
from typing import Any

from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

from satuatap.core.errors import ValidationFailed

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
_TEMPLATE_KEY = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


def language_normalize(language: str | None) -> str:
    """'en-us' → 'en'; anything we have no texts for → Indonesian."""
    code = (language or "").strip().lower().split("-")[0].split("_")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def render_message(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """(subject, body) of a template in a language, falling back to Indonesian when no variant exists."""
    if not _TEMPLATE_KEY.match(template or ""):
        raise ValidationFailed("Kunci templat pesan tidak valid.", "Invalid message template key.",
                               code="notify_template_invalid", details={"template": template})
    language = language_normalize(language)
    names = [f"notify/{template}.{language}.txt"]
    if language != DEFAULT_LANGUAGE:
        names.append(f"notify/{template}.{DEFAULT_LANGUAGE}.txt")
    for name in names:
        try:
            compiled = get_template(name)
        except TemplateDoesNotExist:
            continue
        with translation.override(language):
            text = compiled.template.render(Context(context, autoescape=False))
        break
    else:
        raise ValidationFailed("Templat pesan tidak ditemukan.", "Message template not found.",
                               code="notify_template_missing", details={"template": template})
    text = text.replace("\r\n", "\n").strip("\n")
    subject, _, body = text.partition("\n")
    body = re.sub(r"\n{3,}", "\n\n", body.strip())
    return subject.strip()[:200], body
