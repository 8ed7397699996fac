from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from groups import permissions as group_permissions
from groups.forms import add_form_errors
from groups.permissions import Capability
from recovery import selectors
from recovery.forms import SosChatForm, SosLeadersForm
from recovery.services import sos


@login_required
@require_http_methods(["GET", "POST"])
def sos_view(request):
    """ "I'm having a craving": breathing and urge surfing right away; reaching out to
    a group only if the member chooses."""
    chat_groups = selectors.my_groups(request.user, Capability.CHAT)
    leader_groups = selectors.groups_whose_leaders_i_can_ask(request.user)
    sending = request.POST.get("send") if request.method == "POST" else None
    chat_form = SosChatForm(request.POST if sending == "chat" else None, groups=chat_groups)
    leaders_form = SosLeadersForm(
        request.POST if sending == "leaders" else None, groups=leader_groups
    )
    sent = None
    form = {"chat": chat_form, "leaders": leaders_form}.get(sending)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            group = group_permissions.get_group_for_user(request.user, data["group"])
            if sending == "chat":
                sos.sos_post_to_chat(acting_user=request.user, group=group, body=data["body"],
                                     client_msg_id=data["client_msg_id"])  # fmt: skip
                sent = _("Your message is in %(group)s's chat.") % {"group": group.name}
            else:
                sos.sos_ask_leaders(acting_user=request.user, group=group,
                                    message=data["message"])  # fmt: skip
                sent = _("The peer leaders of %(group)s have been told and will reach out as "
                         "soon as they can.") % {"group": group.name}  # fmt: skip
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = ValidationError(str(error))
            add_form_errors(form, error)
    context = {
        "chat_form": chat_form if chat_groups else None,
        "leaders_form": leaders_form if leader_groups else None,
        "sent": sent, "sending": sending,
    }  # fmt: skip
    return render(request, "recovery/sos.html", context)
