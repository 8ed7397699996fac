from django.db import DatabaseError

from peersupport.outages import is_database_outage


def database(request):
    """`database_unavailable` when the signed-in person can't even be loaded: the page
    (the help page, an error page) then leaves out the account menu and messages,
    which need the database, instead of failing. Loading the person costs nothing
    extra: the header needs them anyway."""
    user = getattr(request, "user", None)
    if user is None:
        return {"database_unavailable": False}
    try:
        user.is_authenticated  # noqa: B018 (loads the session and the user)
    except DatabaseError as error:
        if not is_database_outage(error):
            raise
        return {"database_unavailable": True}
    return {"database_unavailable": False}
