"""Django's PostgreSQL backend for the test suite, with one change: emptying the
database after a transactional test deletes the rows instead of truncating the tables,
and keeps content types and permissions.

TRUNCATE gives every table a new file on disk, which costs about 0.8 s for our 36
tables on each transactional test (socket, browser and race tests: several hundred);
DELETE on the few rows a test leaves takes milliseconds. Django's foreign keys are
DEFERRABLE INITIALLY DEFERRED, so the deletes may run in any order inside the one
transaction flush runs them in, and are checked at its commit. Content types and
permissions are what migrate made; flush's post_migrate signal would only write the
same rows again (another 0.3 s a test), so they stay."""

from django.db.backends.postgresql import base, operations

KEPT_TABLES = frozenset({"django_content_type", "auth_permission"})


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete_from = f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')}"
        return [
            f"{style.SQL_KEYWORD('SET CONSTRAINTS ALL DEFERRED')};",
            *(
                f"{delete_from} {style.SQL_FIELD(self.quote_name(table))};"
                for table in tables
                if table not in KEPT_TABLES
            ),
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
