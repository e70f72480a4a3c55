import pytest
from django.core import signals
from django.db import close_old_connections


@pytest.fixture
def shared_test_connection():
    """Requests served by a WSGI handler in the test share the test's database connection, as Django's test
    client arranges: the request signals must not close the connection holding the test's transaction (on
    PostgreSQL that would end it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
