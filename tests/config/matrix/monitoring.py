"""Access rows of monitoring: the office dashboard and classification for the office's head, monitors of its
region and admins; province / national statistics, exports and the yearly report for monitors and admins only.
Desk officers, placement companies' users (who carry the monitor role), checkpoint officers and auditors see
nothing here.

World: office A (LTSA-IDM, West Java) classified for October 2026.
"""

from __future__ import annotations

from tests.config.matrix import Row, expect

AUDITOR = 403  # past the second factor (the world logs everyone in with it), refused for the role


def setup(world) -> None:
    import datetime as dt

    from satuatap.monitoring import services

    services.rubric_load()
    services.offices_classify(month=dt.date(2026, 10, 1), office_ids=[world.ids["office"]],
                              today=dt.date(2026, 11, 15))


# Pages
HOME = expect(403, anonymous=302, heads=302, monitors=302, admin=302, auditor=AUDITOR)
OFFICE_OWN = expect(403, anonymous=302, heads=200, monitors=200, admin=200, auditor=AUDITOR)
OFFICE_A = expect(403, anonymous=302, head=200, monitor=200, monitor_region=200, admin=200, auditor=AUDITOR)
RANKING = expect(403, anonymous=302, heads=302, monitors=200, admin=200, auditor=AUDITOR)
STATS_PAGE = expect(403, anonymous=302, monitors=200, admin=200, auditor=AUDITOR)
# API
OFFICE_A_API = expect(403, anonymous=401, head=200, monitor=200, monitor_region=200, admin=200)
SCOPED_API = expect(403, anonymous=401, heads=200, monitors=200, admin=200)
STATS_API = expect(403, anonymous=401, monitors=200, admin=200)

ROWS = [
    Row("GET", "monitoring/", "/monitoring/", HOME),
    Row("GET", "monitoring/office/", "/monitoring/office/", OFFICE_OWN),
    Row("GET", "monitoring/office/", "/monitoring/office/?office={office}", OFFICE_A,
        note="another office's head and another region's monitor are refused"),
    Row("GET", "monitoring/classification/", "/monitoring/classification/?month=2026-10", RANKING,
        note="heads are sent to their own office's classification"),
    Row("GET", "monitoring/classification/<str:office_code>/", "/monitoring/classification/{office}/", OFFICE_A),
    Row("GET", "monitoring/statistics/", "/monitoring/statistics/?year=2026", STATS_PAGE),
    Row("GET", "monitoring/statistics/export/<str:table_id>.<str:fmt>",
        "/monitoring/statistics/export/placements-country.csv?year=2026", STATS_PAGE),
    Row("GET", "monitoring/statistics/export/<str:table_id>.<str:fmt>",
        "/monitoring/statistics/export/complaints-category.xlsx?year=2026", STATS_PAGE),
    Row("GET", "monitoring/reports/", "/monitoring/reports/", STATS_PAGE),
    Row("GET", "monitoring/reports/<int:year>.pdf", "/monitoring/reports/2026.pdf", STATS_PAGE),
    Row("GET", "api/v1/monitoring/offices/<code>/dashboard", "/api/v1/monitoring/offices/{office}/dashboard",
        OFFICE_A_API),
    Row("GET", "api/v1/monitoring/offices/<code>/classifications",
        "/api/v1/monitoring/offices/{office}/classifications", OFFICE_A_API),
    Row("GET", "api/v1/monitoring/classifications", "/api/v1/monitoring/classifications?month=2026-10",
        SCOPED_API),
    Row("GET", "api/v1/monitoring/statistics/placements",
        "/api/v1/monitoring/statistics/placements?dim=country&year=2026", STATS_API),
    Row("GET", "api/v1/monitoring/statistics/complaints",
        "/api/v1/monitoring/statistics/complaints?dim=category&year=2026", STATS_API),
]
