"""Helpers for the PostgreSQL race tests (transaction=True: the tables are flushed after each test)."""

from __future__ import annotations

import threading

from django.db import connection


def ensure_reference_data() -> None:
    """Reload reference and placement reference data when an earlier transactional test flushed them."""
    from satuatap.placement import services as placement_services
    from satuatap.placement.models import JobTitle
    from satuatap.reference import services as reference_services
    from satuatap.reference.models import Office

    if not Office.objects.filter(code="LTSA-IDM").exists():
        reference_services.reference_load(villages=False, progress=False)
    if not JobTitle.objects.exists():
        placement_services.placement_reference_load()


def hammer(n: int, target) -> list:
    """Run `target(i)` in n threads released at the same moment; each thread closes its own connection."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
