from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from forum import selectors
from groups.services import notifications


@login_required
@require_GET
def notifications_view(request):
    shown = selectors.notifications_for(request.user)
    # Seen now: the bell clears, and this page still marks what was new.
    notifications.notifications_mark_read(user=request.user)
    return render(request, "forum/notifications.html", {"notifications": shown})
