"""Fixtures shared by the whole suite. The builders they call are in tests/factories.py."""

import pytest
from django.db import transaction

from tests.factories import Community, make_user


@pytest.fixture
def member(db):
    return make_user(display_name="Quiet River")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def world(db):
    """A Community: a public group with a person in every role. Modules whose tests
    need a world of another shape define their own `world`, which wins over this one."""
    return Community()


@pytest.fixture(scope="class")
def class_db(django_db_setup, django_db_blocker):
    """The database for a class-scoped fixture that builds data once for a whole class
    of tests, where `db` is per test. What the fixture builds lives in a transaction
    that is rolled back when the class ends. Each test still uses `db`, which wraps it
    in a savepoint rolled back after it, so no test sees what another changed in the
    database. The Python objects built are shared by the whole class, though: give each
    test its own copy (copy.deepcopy) if it may change them, memberships cached on users
    by groups.permissions.membership_of included. Not for transaction=True tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
