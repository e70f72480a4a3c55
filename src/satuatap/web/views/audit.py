"""The auditor's pages: search the audit log by user, worker, case or document, action and dates; CSV export."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts import services as account_services
from satuatap.accounts.models import AuditAction, Role
from satuatap.web import access, labels
from satuatap.web.forms import AuditFilterForm
from satuatap.web.views.common import render_partial

ENTRIES_PER_PAGE = 100
auditor_required = access.staff_required(roles=frozenset({Role.AUDITOR}))


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = account_selectors.audit_entries(
        username=filters.get("username"), worker_id=filters.get("worker_id"), object_id=filters.get("object_id"),
        action=filters.get("action"), date_from=filters.get("date_from"), date_to=filters.get("date_to"),
    )
    return form, filters, entries


@auditor_required
@require_GET
def audit_list(request):
    """Newest first, 100 a page; the filters stay in the address so a search can be shared with a colleague."""
    form, _filters, entries = _filtered(request)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    total = entries.count()
    items = list(entries[(page - 1) * ENTRIES_PER_PAGE : page * ENTRIES_PER_PAGE])
    names = dict(AuditAction.choices)
    for e in items:
        e.action_label = labels.pick(*names[e.action].split(" / ", 1)) if e.action in names else e.action
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form, "items": items, "total": total, "page": page, "query": query.urlencode(),
        "has_next": page * ENTRIES_PER_PAGE < total, "has_prev": page > 1,
    }
    return render_partial(request, "web/audit/list.html", "web/audit/_table.html", context)


@auditor_required
@require_GET
def audit_export(request):
    """The matching entries as CSV; the export is itself an audit entry."""
    _form, filters, entries = _filtered(request)
    account_services.audit_record(
        actor=request.user, request=request, action=AuditAction.EXPORT, object_type="audit_log", object_id="",
        details={k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v},
    )
    response = StreamingHttpResponse(account_selectors.audit_csv_rows(entries), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response
