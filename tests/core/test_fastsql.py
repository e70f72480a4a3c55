"""core.fastsql: rows read with hand-written SQL are the same model instances the ORM gives; updates and inserts
write what QuerySet.update / bulk_create would. Runs on SQLite (text dates, converters) and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from satuatap.accounts import services as account_services
from satuatap.core import fastsql
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case, Event, Step
from tests import factories

pytestmark = pytest.mark.django_db

STEP = fastsql.Columns(Step, "s")


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.fixture
def case():
    desk = factories.officer("LTSA-IDM", "DISNAKER")
    case = factories.open_case(desk, factories.worker("32.12"))
    journey_services.step_complete(actor=desk, case_number=case.number, step_code="REG",
                                   outcome=factories.outcome("registration"))
    return case


def test_loaded_rows_equal_the_orm_instances(case):
    rows = fastsql.fetch(f"SELECT {STEP.sql} FROM {STEP.table} s WHERE s.case_id = %s ORDER BY s.id", [case.pk])
    loaded = [STEP.load(r) for r in rows]
    orm = list(Step.objects.filter(case=case).order_by("id"))
    assert len(loaded) == len(orm) > 10
    assert [_values(s) for s in loaded] == [_values(s) for s in orm]
    done = next(s for s in loaded if s.code == "REG")
    assert isinstance(done.completed_at, dt.datetime) and timezone.is_aware(done.completed_at)
    assert isinstance(done.outcome, dict) and done.outcome  # JSON decoded, as the ORM does
    assert not done._state.adding and done._state.db == "default"


def test_update_by_pk_writes_only_the_given_fields_and_honours_the_guard(case):
    step = Step.objects.get(case=case, code="MED")
    officer = factories.officer("LTSA-IDM", "DINKES")
    now = timezone.now()
    wrong = fastsql.update_by_pk(Step, step.pk, {"state": "in_progress"}, where={"version": step.version + 7})
    assert wrong == 0 and Step.objects.get(pk=step.pk).state == step.state
    changed = fastsql.update_by_pk(Step, step.pk, {"state": "in_progress", "actor": officer, "started_at": now,
                                                   "outcome": {"a": [1, "dua"]}}, where={"version": step.version})
    assert changed == 1
    after = Step.objects.get(pk=step.pk)
    assert (after.state, after.actor_id, after.started_at, after.outcome) == ("in_progress", officer.pk, now,
                                                                              {"a": [1, "dua"]})
    assert after.version == step.version and after.reason == step.reason  # untouched fields stay
    # a guard on an empty field means IS NULL (as the ORM writes it), not "= NULL", which never matches
    assert fastsql.update_by_pk(Step, step.pk, {"reason": "x"}, where={"completed_at": None}) == 1
    assert fastsql.update_by_pk(Step, step.pk, {"reason": "y"}, where={"started_at": None}) == 0


def test_insert_gives_keys_and_stores_every_field(case):
    now = timezone.now()
    events = [Event(case=case, kind="note", office_id=case.office_id, payload={"n": i, "teks": "é"},
                    created_at=now, reason=f"r{i}") for i in range(3)]
    created = fastsql.insert(Event, events)
    assert all(e.pk is not None and not e._state.adding for e in created)
    assert len({e.pk for e in created}) == 3
    for e in created:
        stored = Event.objects.get(pk=e.pk)
        assert model_to_dict(stored) == model_to_dict(e)
    assert fastsql.insert(Event, []) == []


def test_token_lookup_loads_the_user_and_refuses_revoked_or_inactive_tokens():
    user = factories.officer("LTSA-IDM", "DISNAKER")
    token, secret = account_services.api_token_create(user=user, name="t")
    found = account_services.api_token_authenticate(secret=secret)
    assert found == user and found.agency_id == user.agency_id and found.office_id == user.office_id
    account_services.api_token_revoke(token_id=token.pk)
    assert account_services.api_token_authenticate(secret=secret) is None
    _, other = account_services.api_token_create(user=user, name="t2")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert account_services.api_token_authenticate(secret=other) is None
    assert account_services.api_token_authenticate(secret="sat_nope") is None


def test_token_lookup_tells_company_users_apart_without_another_query(django_assert_num_queries):
    """The token's statement also reads the user's active company membership, so the redaction and scope checks
    that ask "is this a placement company's user?" later in the request cost no query."""
    from satuatap.accounts import selectors as account_selectors
    from satuatap.placement.models import CompanyMembership

    officer = factories.officer("LTSA-IDM", "DINKES")
    company_user = factories.monitor()
    membership = CompanyMembership.objects.create(user=company_user, company=factories.job_order().company)
    found = {}
    for user in (officer, company_user):
        secret = account_services.api_token_create(user=user, name="t")[1]
        found[user.pk] = account_services.api_token_authenticate(secret=secret)
    with django_assert_num_queries(0):
        assert account_selectors.user_sees_health_details(found[officer.pk])
        assert not account_selectors.user_is_company_user(found[officer.pk])
        assert account_selectors.user_is_company_user(found[company_user.pk])
    assert found[company_user.pk]._placement_company_id == membership.company_id
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    again = account_services.api_token_authenticate(secret=account_services.api_token_create(user=company_user,
                                                                                             name="t2")[1])
    assert not account_selectors.user_is_company_user(again)


def test_case_lock_reads_the_same_case(case):
    locked = journey_services._lock_case(case.number)
    assert _values(locked) == _values(Case.objects.get(pk=case.pk))
    # the row is locked for the transition where the database has row locks (SQLite locks the whole file)
    assert journey_services._CASE_LOCK.sql.endswith(" FOR UPDATE") == connection.features.has_select_for_update


@pytest.mark.parametrize("marital", ["single", "married", "divorced"])
@pytest.mark.parametrize("consents", [(), (("mother", True),), (("spouse", True),), (("spouse", False),),
                                      (("mother", True), ("spouse", False))])
def test_the_step_rule_inputs_statement_agrees_with_the_registry_rules(case, marital, consents):
    """The one statement a step completion reads its rule inputs with gives the same consent and "active case
    elsewhere" answers as registry_selectors.worker_has_consent and the ORM."""
    from satuatap.registry import selectors as registry_selectors
    from satuatap.registry.models import FamilyConsent

    worker = case.worker
    worker.marital_status = marital
    worker.save(update_fields=["marital_status"])
    FamilyConsent.objects.filter(worker=worker).delete()
    for relation, acknowledged in consents:
        FamilyConsent.objects.create(worker=worker, consenter_name="Uji", relation=relation,
                                     consent_date=dt.date(2026, 1, 2), village_head_acknowledged=acknowledged)
    inputs = journey_services._rule_inputs(case, timezone.localdate())
    loaded = inputs.worker
    assert loaded.pk == worker.pk and loaded.marital_status == marital
    assert inputs.has_consent == registry_selectors.worker_has_consent(worker=worker)
    active = Case.objects.filter(worker=worker, status__in=journey_services.ACTIVE_CASE_STATES)
    assert inputs.active_elsewhere == active.exclude(pk=case.pk).exists()


def test_the_step_rule_inputs_statement_reads_the_job_order_and_rule_set_the_selectors_give(case):
    """The same statement carries the job order the case holds a position in (with company, employer and job
    title, as placement_selectors.job_order_for_case loads it: the held one, none once released, the one
    held after that) and the identity of the rule set version in force (as placement.rules reads it; None before
    any)."""
    from satuatap.placement import rules as placement_rules
    from satuatap.placement import selectors as placement_selectors
    from satuatap.placement import services as placement_services
    from satuatap.placement.models import JobOrderLink
    from tests.placement import builders

    placement_services.placement_reference_load()
    today = timezone.localdate()

    def same_job_order(expected):
        got = journey_services._rule_inputs(case, today).job_order
        assert (got is None) == (expected is None)
        if expected is not None:
            assert _values(got) == _values(expected)
            for name in ("company", "employer", "job_title"):
                assert _values(getattr(got, name)) == _values(getattr(expected, name))
        return got

    held = same_job_order(placement_selectors.job_order_for_case(case_ref=case.number))
    assert held is not None  # the case was opened on a job order
    JobOrderLink.objects.filter(case_ref=case.number).update(released_at=timezone.now())
    assert same_job_order(placement_selectors.job_order_for_case(case_ref=case.number)) is None
    first, second = builders.make_job_order(), builders.make_job_order()
    link = JobOrderLink.objects.create(job_order=first, case_ref=case.number, worker=case.worker,
                                       linked_at=timezone.now())
    got = same_job_order(placement_selectors.job_order_for_case(case_ref=case.number))
    assert got.pk == first.pk and got.company.pk == first.company_id
    link.released_at = timezone.now()
    link.save(update_fields=["released_at"])
    JobOrderLink.objects.create(job_order=second, case_ref=case.number, worker=case.worker, linked_at=timezone.now())
    assert same_job_order(placement_selectors.job_order_for_case(case_ref=case.number)).pk == second.pk

    in_force = placement_rules.rules_in_force(on=today).rule_set
    identity = journey_services._rule_inputs(case, today).rule_set
    assert identity == (in_force.pk, in_force.version, in_force.source_hash)
    assert placement_rules.rules_in_force(on=today, found=identity).rule_set.pk == in_force.pk
    assert journey_services._rule_inputs(case, dt.date(1990, 1, 1)).rule_set is None


def test_insert_along_an_update_does_both(case):
    """The case update rides with the event insert (one WITH statement on PostgreSQL, two statements elsewhere);
    with nothing to insert the update still happens."""
    now = timezone.now()
    version = Case.objects.get(pk=case.pk).version
    along = fastsql.update_statement(Case, case.pk, {"version": version + 1, "updated_at": now})
    (event,) = fastsql.insert(Event, [Event(case=case, kind="note", office_id=case.office_id, created_at=now)],
                              along=along)
    assert Event.objects.filter(pk=event.pk, kind="note").exists()
    assert Case.objects.get(pk=case.pk).version == version + 1
    assert fastsql.insert(Event, [], along=fastsql.update_statement(Case, case.pk, {"version": version + 2})) == []
    assert Case.objects.get(pk=case.pk).version == version + 2


def test_insert_along_several_updates_counts_the_rows_each_changed(case):
    """Guarded step updates and the case update ride with the event insert; each one's changed-row count comes
    back, so a guard that matched nothing (a concurrent change) is seen and the caller can refuse."""
    now = timezone.now()
    steps = list(Step.objects.filter(case=case).order_by("sort_order")[:2])
    fresh = fastsql.update_statement(Step, steps[0].pk, {"reason": "ok"}, where={"version": steps[0].version})
    stale = fastsql.update_statement(Step, steps[1].pk, {"reason": "no"}, where={"version": steps[1].version + 5})
    bump = fastsql.update_statement(Case, case.pk, {"updated_at": now})
    events = [Event(case=case, kind="note", office_id=case.office_id, created_at=now) for _ in range(2)]
    created, counts = fastsql.insert_along(Event, events, [fresh, stale, bump])
    assert counts == [1, 0, 1]
    assert len({e.pk for e in created}) == 2 and all(Event.objects.filter(pk=e.pk).exists() for e in created)
    assert Step.objects.get(pk=steps[0].pk).reason == "ok" and Step.objects.get(pk=steps[1].pk).reason != "no"
    assert Case.objects.get(pk=case.pk).updated_at == now
    assert fastsql.insert_along(Event, [], [fresh]) == ([], [1])


def test_insert_along_other_rows_ride_and_get_their_keys(case):
    """`also`: single rows of other models go in the same statement (PostgreSQL) or just before (elsewhere); each
    gets its key and is stored as given, and the updates' counts still come back. A row whose key is already set
    is inserted on its own."""
    from satuatap.journey.models import CaseCounter

    now = timezone.now()
    version = Case.objects.get(pk=case.pk).version
    bump = fastsql.update_statement(Case, case.pk, {"version": version + 1, "updated_at": now})
    events = [Event(case=case, kind="note", office_id=case.office_id, created_at=now)]
    rider = Event(case=case, kind="rider", office_id=case.office_id, reason="along", payload={"a": [1]},
                  created_at=now)
    counter = CaseCounter(pk=987654, office_id=case.office_id, year=1999, last=7)  # its key chosen: on its own
    created, counts = fastsql.insert_along(Event, events, [bump], also=[rider, counter])
    assert counts == [1] and created[0].pk is not None
    assert rider.pk is not None and rider.pk != created[0].pk and not rider._state.adding
    stored = Event.objects.get(pk=rider.pk)
    assert (stored.kind, stored.reason, stored.payload) == ("rider", "along", {"a": [1]})
    assert CaseCounter.objects.filter(pk=987654, office_id=case.office_id, year=1999, last=7).exists()
    assert Case.objects.get(pk=case.pk).version == version + 1


def test_models_with_init_listeners_are_built_through_their_init(case):
    """Rows become instances without Model.__init__ only where nothing could tell: a model whose init signals
    have a receiver (an ImageField's, say) goes through from_db, and the receiver runs."""
    from django.db.models.signals import post_init

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    columns = fastsql.Columns(Step, "s")
    post_init.connect(receiver, sender=Step)
    try:
        rows = fastsql.fetch(f"SELECT {columns.sql} FROM {columns.table} s WHERE s.case_id = %s", [case.pk])
        loaded = [columns.load(r) for r in rows]
    finally:
        post_init.disconnect(receiver, sender=Step)
    assert sorted(seen) == sorted(s.pk for s in loaded)
    plain = [STEP.load(r) for r in rows]
    assert [_values(s) for s in plain] == [_values(s) for s in loaded]
    plain[0].reason = "changed"  # an ordinary instance: fields assign, save and refresh as usual
    plain[0].save(update_fields=["reason"])
    assert Step.objects.get(pk=plain[0].pk).reason == "changed"


def test_attach_puts_the_related_object_without_a_query(case, django_assert_num_queries):
    step = STEP.load(fastsql.fetch(f"SELECT {STEP.sql} FROM {STEP.table} s WHERE s.case_id = %s", [case.pk])[0])
    fastsql.attach(step, "case", case)
    with django_assert_num_queries(0):
        assert step.case is case


def test_the_kept_cursor_follows_the_connection(case, django_assert_num_queries):
    """Statements reuse the connection's cursor, yet are still counted when queries are logged, and a closed or
    replaced connection gets a fresh cursor instead of a dead one."""
    sql = f"SELECT {STEP.sql} FROM {STEP.table} s WHERE s.case_id = %s"
    first = fastsql.fetch(sql, [case.pk])
    assert fastsql.fetch(sql, [case.pk]) == first
    kept = connection._fastsql_cursor
    assert kept is not None and kept[0] is connection.connection
    with django_assert_num_queries(2):
        fastsql.fetch(sql, [case.pk])
        fastsql.execute(f"UPDATE {STEP.table} SET reason = reason WHERE case_id = %s", [case.pk])
    seen = []
    with connection.execute_wrapper(lambda execute, *args: seen.append(args[0]) or execute(*args)):
        fastsql.fetch(sql, [case.pk])
    assert seen == [sql]


def test_a_replaced_connection_gets_a_new_cursor(case):
    fastsql.fetch("SELECT 1", [])
    _, old_cursor = connection._fastsql_cursor
    connection._fastsql_cursor = (object(), old_cursor)  # as if the connection had been closed and reopened
    assert fastsql.fetch("SELECT 1", []) == [(1,)]
    assert connection._fastsql_cursor[0] is connection.connection
    assert connection._fastsql_cursor[1] is not old_cursor


def test_a_statement_is_built_once_and_carries_the_fixed_parameters_it_embeds(case):
    built = []

    def build(q):
        built.append(q)
        return f"SELECT {q('number')} FROM {q(Case._meta.db_table)} WHERE {q('number')} = %s AND {q('scheme')} <> %s", [
            "no-such-scheme"]

    statement = fastsql.Statement(build)
    rows = fastsql.fetch(statement.sql, [case.number, *statement.params])
    again = fastsql.fetch(statement.sql, [case.number, *statement.params])
    assert rows == again == [(case.number,)]
    assert statement.params == ("no-such-scheme",)
    assert len(built) == 1  # written once for this database, whatever the number of runs
    assert built[0]("number") == connection.ops.quote_name("number")
    plain = fastsql.Statement(lambda q: "SELECT 1")
    assert (plain.sql, plain.params) == ("SELECT 1", ())


# --- new rows: built and prepared as the ORM builds and prepares them ---------------------------------------

def _written_models():
    """Every model whose new rows or updates go through core.fastsql on a transition."""
    from satuatap.cards.models import Abroad, Card, CardEvent
    from satuatap.placement.models import Decision

    return (Event, Step, Case, Decision, Card, CardEvent, Abroad)


def _prepared(value):
    """A prepared value in a comparable form: psycopg's wrappers (Jsonb, Int4 …) by their type and content."""
    if hasattr(value, "obj") and hasattr(value, "dumps"):  # psycopg Jsonb / Json
        return (type(value), value.obj)
    return (type(value), value)


def _samples(field) -> list:
    now = timezone.now()
    kind = field.get_internal_type()
    if field.is_relation:
        kind = field.target_field.get_internal_type()
        extra = [None, ""] if field.null else []
    else:
        extra = [None] if field.null else []
    by_kind = {
        "CharField": ["", "LTSA-IDM", "ä ß"],
        "TextField": ["", "alasan panjang"],
        "BooleanField": [True, False],
        "DateTimeField": [now, now.astimezone(dt.timezone(dt.timedelta(hours=7)))],
        "DateField": [now.date(), dt.date(2031, 1, 31)],
        "JSONField": [{}, [], {"outcome": {"fit": True, "n": 3}}, [1, "a"]],
        "AutoField": [1, 2**31 - 1],
        "BigAutoField": [1, 2**40],
        "IntegerField": [0, -5, 7],
        "PositiveIntegerField": [0, 7],
        "PositiveSmallIntegerField": [0, 7],
        "SmallIntegerField": [0, -7],
        "BigIntegerField": [0, 2**40],
    }
    return by_kind.get(kind, []) + extra


def test_the_shortened_preparation_gives_what_get_db_prep_save_gives():
    checked = 0
    for model in _written_models():
        for field in model._meta.concrete_fields:
            prep = fastsql._preparer(field, connection)
            for value in _samples(field):
                assert _prepared(prep(value)) == _prepared(field.get_db_prep_save(value, connection=connection)), (
                    model.__name__, field.name, value)
                checked += 1
    assert checked > 150


def test_the_shortened_preparation_hands_anything_unusual_to_the_field():
    field = Event._meta.get_field("created_at")
    naive = dt.datetime(2026, 12, 3, 10, 0)  # naive: the case the field warns about
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        got = fastsql._preparer(field, connection)(naive)
    with pytest.warns(RuntimeWarning):
        assert got == field.get_db_prep_save(naive, connection=connection)
    version = Step._meta.get_field("version")
    assert fastsql._preparer(version, connection)("4") == version.get_db_prep_save("4", connection=connection)
    with pytest.raises(ValueError, match="expected a number"):
        fastsql._preparer(version, connection)("four")


def test_new_builds_the_instance_the_model_builds(case):
    step = case.steps.order_by("sort_order").first()
    actor = step.actor or factories.officer("LTSA-IDM", "DISNAKER")
    values = dict(case=case, step=step, kind="step_started", actor=actor, office_id=case.office_id,
                  agency_id="DISNAKER", from_state="ready", to_state="in_progress", reason="", payload={"a": 1},
                  created_at=timezone.now())
    fast, orm = fastsql.new(Event, **values), Event(**values)
    assert _values(fast) == _values(orm)
    assert fast._state.adding and fast._state.db is None
    assert fast.case is case and fast.step is step and fast.actor is actor  # cached, as the descriptor caches
    # defaults for what is not given, and a fresh default object each time
    bare, other = fastsql.new(Event, case=case, kind="x", created_at=values["created_at"]), fastsql.new(
        Event, case=case, kind="y", created_at=values["created_at"])
    assert _values(bare) == _values(Event(case=case, kind="x", created_at=values["created_at"]))
    assert bare.payload == {} and bare.payload is not other.payload
    (saved,) = fastsql.insert(Event, [fast])
    assert _values(Event.objects.get(pk=saved.pk)) == {**_values(orm), "id": saved.pk}


def test_new_leaves_unusual_arguments_to_the_model(case):
    with pytest.raises(TypeError, match="unexpected keyword"):
        fastsql.new(Event, case=case, colour="red")
    with pytest.raises(ValueError, match="must be a"):
        fastsql.new(Event, case=case.worker, kind="x")  # a related object of the wrong model


def test_driver_errors_arrive_as_djangos_and_execute_wrappers_see_every_statement(case, monkeypatch):
    from django.db import IntegrityError, transaction

    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert fastsql.fetch("SELECT 1", []) == [(1,)]
    assert seen == ["SELECT 1"]
    fastsql.fetch("SELECT 2", [])
    assert seen == ["SELECT 1"]
    # none installed (and queries not logged): the driver's cursor directly, not Django's wrapper
    from django.db.backends.utils import CursorWrapper

    def refuse(self, *args, **kwargs):
        raise AssertionError("went through Django's cursor wrapper")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    assert fastsql.fetch("SELECT 3", []) == [(3,)]
    monkeypatch.undo()
    # two cases given the same number: the database refuses, and the caller sees Django's IntegrityError
    factories.open_case(factories.officer("LTSA-IDM", "DISNAKER"), factories.worker("32.12"))
    with pytest.raises(IntegrityError), transaction.atomic():
        fastsql.execute(f"UPDATE {connection.ops.quote_name(Case._meta.db_table)} SET number = %s",
                        [case.number])


def test_json_columns_read_as_the_orm_reads_them(case):
    step = case.steps.order_by("sort_order").first()
    for stored in ({}, {"fit": True, "nested": {"a": [1, 2]}}, [], "plain text", {"": "{}"}):
        Step.objects.filter(pk=step.pk).update(outcome=stored)
        rows = fastsql.fetch(f"SELECT {STEP.sql} FROM {STEP.table} s WHERE s.id = %s", [step.pk])
        assert STEP.load(rows[0]).outcome == Step.objects.get(pk=step.pk).outcome


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _json_text(value, spaced: bool, padded: bool) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": ") if spaced else (",", ":"))
    return f" {text}\n" if padded else text


@given(st.one_of(
    st.builds(_json_text, _JSON_VALUES, st.booleans(), st.booleans()),
    st.text(max_size=12),  # mostly not JSON at all
    st.sampled_from(['{"a": 1} x', '{"a": "\x01"}', '[1, 2', "NaN", "-Infinity", "\ufeff{}", "{} ", "01"]),
))
@settings(max_examples=300, deadline=None)
def test_a_json_value_decodes_as_the_fields_own_decoder_decodes_it(text):
    # What the step outcome column's converter gives for any stored text: the field's own value, or its error.
    field = Step._meta.get_field("outcome")
    shortcut = fastsql._JsonEmptyShortcut(field)
    expected = field.from_db_value(text, None, connection)
    got = shortcut(text, None, connection)
    assert got == expected or (got != got and expected != expected)  # NaN compares unequal to itself
    assert type(got) is type(expected)


def test_new_leaves_models_with_a_one_to_one_to_the_model(case):
    from satuatap.cards.models import Abroad

    abroad = fastsql.new(Abroad, case=case, departed_on=timezone.localdate())
    # as Model.__init__ assigns it: the case knows its whereabouts row without a query
    assert case._state.fields_cache.get("abroad") is abroad


def test_columns_limited_to_some_fields_defer_the_rest_as_only_does(case):
    few = fastsql.Columns(Case, "c", only=("id", "updated_at"))
    rows = fastsql.fetch(f"SELECT {few.sql} FROM {few.table} c WHERE c.id = %s", [case.pk])
    loaded = few.load(rows[0])
    orm = Case.objects.only("id", "updated_at").get(pk=case.pk)
    assert (loaded.pk, loaded.updated_at) == (orm.pk, orm.updated_at)
    assert loaded.get_deferred_fields() == orm.get_deferred_fields()
    assert loaded.number == case.number  # a deferred field is read when asked for, as with only()


def test_token_use_is_recorded_at_most_once_a_minute():
    from satuatap.accounts.models import ApiToken

    user = factories.officer("LTSA-IDM", "DISNAKER")
    token, secret = account_services.api_token_create(user=user, name="t")
    assert account_services.api_token_authenticate(secret=secret) == user
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    account_services.api_token_authenticate(secret=secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    account_services.api_token_authenticate(secret=secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_the_connection_kept_for_a_thread_is_that_threads_own():
    import asyncio
    import threading

    from django.db import connections

    here = fastsql._connection()
    assert here is connections["default"] and fastsql._connection() is here
    seen = {}

    def other_thread():
        seen["fastsql"], seen["django"] = fastsql._connection(), connections["default"]
        connections["default"].close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen["fastsql"] is seen["django"] and seen["fastsql"] is not here

    async def in_a_loop():  # an async context has its own connection: Django's lookup answers there
        return fastsql._connection(), connections["default"]

    from_loop, django_in_loop = asyncio.run(in_a_loop())
    assert from_loop is django_in_loop and from_loop is not here
    assert fastsql._connection() is here


@pytest.mark.postgres
def test_a_statement_over_psycopgs_default_cache_limits_is_converted_once():
    # the write statement of a completion that unlocks several steps has over 50 parameters (REG's: 127)
    from psycopg import _queries

    sql = "SELECT " + ", ".join(["%s::int + 0"] * 127)  # this test's own statement: not in the cache yet
    assert fastsql.fetch(sql, list(range(127)))[0] == tuple(range(127))
    before = _queries._query2pg.cache_info()
    assert fastsql.fetch(sql, list(range(127, 254)))[0] == tuple(range(127, 254))
    after = _queries._query2pg.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_a_row_without_every_column_is_refused(case):
    rows = fastsql.fetch(f"SELECT {STEP.sql} FROM {STEP.table} s WHERE s.case_id = %s", [case.pk])
    assert len(STEP.load_all(rows)) == len(rows)
    with pytest.raises(ValueError):
        STEP.load_all([rows[0][:-1]])
    with pytest.raises(ValueError):
        STEP.load(("padding", *rows[0][:-1]), offset=1)
