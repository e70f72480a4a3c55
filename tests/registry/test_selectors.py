"""Registry reads: get by id / NIK and the one search box (NIK, phone or name)."""

from __future__ import annotations

import pytest

from satuatap.core.errors import NotFound
from satuatap.registry import selectors, services

from .conftest import make_nik

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers(disnaker, worker_data):
    siti = services.worker_register(actor=disnaker, **worker_data)
    sri = services.worker_register(
        actor=disnaker, **{**worker_data, "nik": make_nik(serial="0002"), "name": "Sri Wahyuni", "phone": ""}
    )
    return siti, sri


def test_worker_get(workers):
    siti, _ = workers
    assert selectors.worker_get(worker_id=siti.pk) == siti


def test_worker_get_unknown_is_not_found(db):
    with pytest.raises(NotFound) as exc:
        selectors.worker_get(worker_id=999_999)
    assert (exc.value.code, exc.value.status) == ("worker_not_found", 404)


def test_worker_get_by_nik(workers):
    siti, _ = workers
    assert selectors.worker_get_by_nik(nik="3212-0152-0495-0001") == siti
    assert selectors.worker_get_by_nik(nik="3212015204950009") is None
    assert selectors.worker_get_by_nik(nik="not a nik") is None


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("3212015204950001", ["Siti Aminah"]),  # exact NIK
        ("3212 0152 0495 0002", ["Sri Wahyuni"]),
        ("3212015204950009", []),  # 16 digits never fall back to a name search
        ("0812-3456-789", ["Siti Aminah"]),  # phone, written the local way
        ("+62 812 3456 789", ["Siti Aminah"]),
        ("628123456789", ["Siti Aminah"]),
        ("0813 0000 0000", []),
        ("siti", ["Siti Aminah"]),  # name, case-insensitive
        ("S", ["Siti Aminah", "Sri Wahyuni"]),
        ("wahyu", ["Sri Wahyuni"]),
        ("  ", []),
    ],
)
def test_workers_search(workers, q, names):
    assert [w.name for w in selectors.workers_search(q=q)] == names


def test_workers_search_limit(workers):
    assert len(selectors.workers_search(q="S", limit=1)) == 1
