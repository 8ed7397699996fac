"""Fixtures of the fault tests here: a PostgreSQL and a Redis of their own."""

from tests.faults import own_postgres, own_redis, postgres  # noqa: F401
