"""Telling a database outage from a bug: the database is down, unreachable, or refuses
writes (a read-only transaction, as during a failover). Pages then answer 503 with the
site's own kind page; nothing may treat a refused write as an ordinary answer."""

from django.db import DatabaseError, InterfaceError, OperationalError

# SQLSTATE read_only_sql_transaction: the database takes reads but refuses writes.
READ_ONLY_SQLSTATES = {"25006"}


def is_database_outage(error: BaseException | None) -> bool:
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    if isinstance(error, DatabaseError):
        return getattr(error.__cause__, "pgcode", None) in READ_ONLY_SQLSTATES
    return False
