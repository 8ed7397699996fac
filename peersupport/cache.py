"""The shared cache (allauth's rate limits, our own limits) in the database."""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router

from peersupport.outages import is_database_outage


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache, except that a write the database refuses because it is
    down or read-only raises instead of failing silently. Django swallows write errors
    (a concurrent insert of the same key is harmless), but then a rate limiter reads
    "not stored" as "someone else holds the lock" and answers 429 to every login
    while the database refuses writes; raised, the outage gets the outage page."""

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        refused: list[DatabaseError] = []

        def remember_outages(execute, sql, params, many, context):
            try:
                return execute(sql, params, many, context)
            except DatabaseError as error:
                if is_database_outage(error):
                    refused.append(error)
                raise

        connection = connections[router.db_for_write(self.cache_model_class)]
        with connection.execute_wrapper(remember_outages):
            stored = super()._base_set(mode, key, value, timeout)
        if refused:
            raise refused[0]
        return stored
