"""Reference data API: public (regions, countries, agencies, offices, processes, holidays are no secret)."""

from __future__ import annotations

from tests.config.matrix import Row, expect

PUBLIC = expect(200)
R = "api/v1/reference/"
ROWS = [
    Row("GET", f"{R}regions", "/api/v1/reference/regions?parent=32", PUBLIC),
    Row("GET", f"{R}regions/<code>", "/api/v1/reference/regions/32", PUBLIC),
    Row("GET", f"{R}countries", "/api/v1/reference/countries", PUBLIC),
    Row("GET", f"{R}countries/<code>", "/api/v1/reference/countries/HK", PUBLIC),
    Row("GET", f"{R}agencies", "/api/v1/reference/agencies", PUBLIC),
    Row("GET", f"{R}agencies/<code>", "/api/v1/reference/agencies/DISNAKER", PUBLIC),
    Row("GET", f"{R}offices", "/api/v1/reference/offices", PUBLIC),
    Row("GET", f"{R}offices/<code>", "/api/v1/reference/offices/{office}", PUBLIC),
    Row("GET", f"{R}processes", "/api/v1/reference/processes", PUBLIC),
    Row("GET", f"{R}processes/current", "/api/v1/reference/processes/current?scheme=P2P", PUBLIC),
    Row("GET", f"{R}processes/<code>/<version>", "/api/v1/reference/processes/{process}/{process_version}", PUBLIC),
    Row("GET", f"{R}holidays", "/api/v1/reference/holidays?year={year}", PUBLIC),
]
