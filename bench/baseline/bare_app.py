"""The bare baseline for `step_throughput.py`: a plain WSGI function (no Django) doing one transition's database work.

    POST /bare/cases/{number}/steps/{code}/{start|complete}   Authorization: Bearer sat_…
    GET  /health

Per request, with raw psycopg on one persistent connection per gunicorn worker:

1. the bearer-token lookup (SELECT accounts_apitoken joined to accounts_user, by SHA-256 digest), in autocommit;
2. one transaction: SELECT the case row FOR UPDATE; SELECT the case's steps (joined to their definitions and
   actors, as the engine loads them); for `complete` only, the placement rules' inputs in one statement, as the
   engine reads them (the worker, "another active case?", the family consent, the rule set in force, and the job
   order the case holds with its company, employer and job title); then the writes in one statement, as the
   engine sends them on PostgreSQL (`core.fastsql.insert_along`): a data-modifying WITH that UPDATEs the
   addressed step (state, version, actor, its start or completion time, for `complete` its outcome, reason and
   blocks_case), for `complete` UPDATEs the locked steps it unlocks by the engine's rule (version, ready_at and
   due_on, as an unlock writes them, though they stay locked here) and INSERTs the rules' decision row, UPDATEs
   the case's version and updated_at, and INSERTs the event rows: the action's (payload: the posted outcome, if
   any) and, for `complete`, one `step_unlocked` per step unlocked, as the engine writes them;
3. a small JSON answer.

So both sides run the same statements per transition and write the same rows, but for what only the engine's
rules decide: the case's status changes (two per journey, with their events) and the card and departure rows
written when CARD and DEP complete. What differs is everything around the statements (framework, ORM, checks,
validation, rules, serialisation).

It checks nothing beyond "token known, case and step exist": no roles, no transition rules, no outcome
validation. States just flip: `start` sets the step to in_progress, `complete` back to ready. It must only be
pointed at cases reserved for it (the driver uses the highest-numbered bench cases).

Environment: DATABASE_URL (postgres://…).
Run with gunicorn: `gunicorn --pythonpath bench/baseline bare_app:application`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re

import psycopg

_ROUTE = re.compile(r"^/bare/cases/(?P<number>[^/]+)/steps/(?P<code>[^/]+)/(?P<action>start|complete)$")
_NEW_STATE = {"start": "in_progress", "complete": "ready"}

_TOKEN_SQL = """
SELECT u.id, u.is_active, u.role, u.office_id, u.agency_id
FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id
WHERE t.digest = %s AND t.revoked_at IS NULL
"""
_CASE_SQL = ("SELECT id, number, status, version, office_id, worker_id FROM journey_case WHERE number = %s "
             "FOR UPDATE")
_STEPS_SQL = """
SELECT s.id, s.code, s.state, s.version, s.agency_id, s.outcome, d.prerequisites, d.outcome_type,
       d.requires_clear_case, d.optional, a.username
FROM journey_step s
JOIN reference_stepdefinition d ON d.id = s.definition_id
LEFT JOIN accounts_user a ON a.id = s.actor_id
WHERE s.case_id = %s ORDER BY s.sort_order
"""
# The placement rules' inputs (complete only), in one statement as the engine reads them.
_RULE_INPUTS_SQL = """
SELECT w.id, w.nik, w.birth_date, w.sex, w.marital_status,
       EXISTS (SELECT 1 FROM journey_case c WHERE c.worker_id = w.id AND c.status IN ('open', 'ready_to_depart')
               AND c.id <> %s) AS elsewhere,
       EXISTS (SELECT 1 FROM registry_familyconsent fc WHERE fc.worker_id = w.id AND fc.village_head_acknowledged
               AND (w.marital_status <> 'married' OR fc.relation = 'spouse')) AS consent,
       rs.id, rs.version,
       j.id, j.number, j.status, j.positions, j.positions_used, co.id, co.status, co.licence_valid_to,
       e.id, e.country_id, e.type, t.code
FROM registry_worker w
LEFT JOIN placement_ruleset rs ON rs.id = (
    SELECT r.id FROM placement_ruleset r WHERE r.effective_from <= %s
    ORDER BY r.effective_from DESC, r.version DESC LIMIT 1)
LEFT JOIN placement_joborderlink hl ON hl.id = (
    SELECT l.id FROM placement_joborderlink l WHERE l.case_ref = %s AND l.released_at IS NULL
    ORDER BY l.linked_at DESC, l.id DESC LIMIT 1)
LEFT JOIN placement_joborder j ON j.id = hl.job_order_id
LEFT JOIN placement_company co ON co.id = j.company_id
LEFT JOIN placement_employer e ON e.id = j.employer_id
LEFT JOIN placement_jobtitle t ON t.code = j.job_title_id
WHERE w.id = %s
"""
_DECISION = """INSERT INTO placement_decision (case_ref, stage, verdict, fired, rule_set_id, rule_set_version,
    worker_id, job_order_id, scheme, destination_country, office_code, office_regency, inputs, evaluated_on,
    evaluated_at, actor_id)
VALUES (%s, 'step_complete', 'pass', '[]', %s, %s, %s, %s, 'P2P', 'HK', %s, '', '{}', %s, %s, %s) RETURNING id"""
# The writes of one transition in one statement (as core.fastsql.insert_along sends them on PostgreSQL).
_STEP_START = ("UPDATE journey_step SET actor_id = %s, blocks_case = false, started_at = %s, state = %s, "
               "version = version + 1 WHERE id = %s AND version = %s")
_STEP_COMPLETE = ("UPDATE journey_step SET actor_id = %s, blocks_case = false, completed_at = %s, outcome = %s, "
                  "reason = '', started_at = COALESCE(started_at, %s), state = %s, version = version + 1 "
                  "WHERE id = %s AND version = %s")
_DEPENDENTS = ("UPDATE journey_step SET due_on = %s, ready_at = %s, version = version + 1 "
               "WHERE id = ANY(%s) AND state = 'locked'")
_CASE_UPDATE = "UPDATE journey_case SET version = version + 1, updated_at = %s WHERE id = %s"
_EVENT_INSERT = """INSERT INTO journey_event (case_id, step_id, kind, actor_id, office_id, agency_id, from_state,
                           to_state, reason, payload, created_at)
VALUES """
_EVENT_ROW = "(%s, %s, %s, %s, %s, %s, %s, %s, '', %s, %s)"


def _writes_sql(action: str, dependents: int) -> str:
    step = _STEP_COMPLETE if action == "complete" else _STEP_START
    ctes = [f"s AS ({step} RETURNING 1)"]
    if dependents:
        ctes.append(f"d AS ({_DEPENDENTS})")
    ctes.append(f"c AS ({_CASE_UPDATE})")
    if action == "complete":
        ctes.append(f"dc AS ({_DECISION})")
    rows = ", ".join([_EVENT_ROW] * (1 + dependents))
    return f"WITH {', '.join(ctes)} {_EVENT_INSERT}{rows} RETURNING id, (SELECT count(*) FROM s)"


_WRITES: dict[tuple[str, int], str] = {}  # by action and number of dependents

_conn: psycopg.Connection | None = None


def _connection() -> psycopg.Connection:
    global _conn
    if _conn is None or _conn.closed or _conn.broken:
        _conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _conn


def _json(start_response, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _transition(conn: psycopg.Connection, user: tuple, number: str, code: str, action: str, outcome) -> dict | None:
    now = dt.datetime.now(dt.UTC)
    with conn.transaction():
        case = conn.execute(_CASE_SQL, (number,)).fetchone()
        if case is None:
            return None
        case_id, number, _status, case_version, office_id, worker_id = case
        steps = conn.execute(_STEPS_SQL, (case_id,)).fetchall()
        step = next((s for s in steps if s[1] == code), None)
        if step is None:
            return None
        step_id, from_state = step[0], step[2]
        to_state = _NEW_STATE[action]
        dependents: list[tuple] = []
        if action == "complete":
            inputs = conn.execute(_RULE_INPUTS_SQL, (case_id, now.date(), number, worker_id)).fetchone()
            rule_set_id, rule_set_version, job_order_id = inputs[7], inputs[8], inputs[9]
            # the engine's unlock rule, on this baseline's states: a locked step whose prerequisites have all been
            # walked (none still locked, the addressed one included), so a journey writes the engine's 13 unlocks
            state_of = {s[1]: s[2] for s in steps}
            dependents = [s for s in steps if code in (s[6] or []) and s[2] == "locked"
                          and all(state_of.get(p) != "locked" for p in s[6])]
        step_version = step[3]
        payload = json.dumps({"outcome": outcome} if outcome else {})
        if action == "complete":
            params = [user[0], now, json.dumps(outcome or {}), now, to_state, step_id, step_version]
        else:
            params = [user[0], now, to_state, step_id, step_version]
        if dependents:
            params += [now.date(), now, [s[0] for s in dependents]]
        params += [now, case_id]
        if action == "complete":
            params += [number, rule_set_id, rule_set_version, worker_id, job_order_id, office_id, now.date(), now,
                       user[0]]
        params += [case_id, step_id, f"step_{action}ed", user[0], office_id, user[4] or step[4], from_state,
                   to_state, payload, now]
        for dep in dependents:
            params += [case_id, dep[0], "step_unlocked", user[0], office_id, user[4] or dep[4], "locked", "ready",
                       "{}", now]
        shape = (action, len(dependents))
        sql = _WRITES.get(shape) or _WRITES.setdefault(shape, _writes_sql(*shape))
        _event_id, updated = conn.execute(sql, params).fetchone()
        if updated != 1:
            raise RuntimeError("the step changed under the case lock")
        version = step_version + 1
    return {"case": number, "case_version": case_version + 1, "step": code, "state": to_state, "version": version}


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/health":
        return _json(start_response, "200 OK", {"ok": True})
    match = _ROUTE.match(path)
    if match is None or environ.get("REQUEST_METHOD") != "POST":
        return _json(start_response, "404 Not Found", {"code": "not_found"})
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    payload = json.loads(raw) if raw else {}
    auth = environ.get("HTTP_AUTHORIZATION", "")
    secret = auth[7:] if auth.startswith("Bearer ") else ""
    conn = _connection()
    user = conn.execute(_TOKEN_SQL, (hashlib.sha256(secret.encode()).hexdigest(),)).fetchone() if secret else None
    if user is None or not user[1]:
        return _json(start_response, "401 Unauthorized", {"code": "not_authenticated"})
    result = _transition(conn, user, match["number"], match["code"].upper(), match["action"], payload.get("outcome"))
    if result is None:
        return _json(start_response, "404 Not Found", {"code": "case_or_step_not_found"})
    return _json(start_response, "200 OK", result)
