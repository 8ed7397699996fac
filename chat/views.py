"""The chat room page: readable without JavaScript (the latest messages, paging back,
a plain form to send), then live over a websocket with static/js/chat.js."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chat import selectors
from chat import services as chat
from chat.forms import RoomSettingsForm
from chat.frames import MAX_FRAME_BYTES
from chat.models import MESSAGE_MAX_LENGTH, ChatMessage, ChatRoom
from groups import limits, permissions
from groups.forms import REPORT_THANKS, ReportForm, add_form_errors
from groups.permissions import Capability
from groups.sockets import CLOSE_CODES


def _room(request, slug, kind) -> ChatRoom:
    group = permissions.get_group_for_user(request.user, slug)
    room = chat.room_for(group, kind)
    room.group = group
    permissions.check_can_read_room(request.user, room)
    return room


def room_url(room: ChatRoom) -> str:
    name = "chat:leaders_room" if room.is_for_leaders else "chat:room"
    return reverse(name, args=[room.group.slug])


def _cannot_send_reason(user, room) -> str:
    try:
        permissions.check_can_send_in_room(user, room)
    except (PermissionDenied, Http404) as error:
        return str(error) or _("You can't send here now.")
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def chat_view(request, slug, kind=ChatRoom.Kind.MEMBERS):
    room = _room(request, slug, kind)
    draft = ""
    if request.method == "POST":
        # Sending without JavaScript: the hidden client id makes a double submit harmless.
        draft = request.POST.get("body", "")
        try:
            chat.chat_message_send(acting_user=request.user, room=room, body=draft,
                                   client_msg_id=request.POST.get("client_msg_id", ""))  # fmt: skip
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, text)
        else:
            return redirect(room_url(room) + "#composer")
    try:
        before = int(request.GET["before"]) if "before" in request.GET else None
    except ValueError:
        before = None
    rows, has_earlier = selectors.latest_messages(room, before_seq=before)
    if before is None and rows:
        chat.chat_seen_advance(user=request.user, room=room, seq=rows[-1].seq)
    reason = _cannot_send_reason(request.user, room)
    group = room.group
    context = {
        "group": group, "room": room, "chat_messages": rows, "has_earlier": has_earlier,
        "earliest_seq": rows[0].seq if rows else None, "paging": before is not None,
        "last_seq": rows[-1].seq if rows and before is None else room.last_seq,
        "can_send": not reason, "cannot_send_reason": reason, "draft": draft,
        "client_msg_id": uuid.uuid4(), "max_length": MESSAGE_MAX_LENGTH,
        "max_frame_bytes": MAX_FRAME_BYTES,
        "is_leader": permissions.can(request.user, Capability.MODERATE, group),
        "membership": permissions.membership_of(request.user, group),
        "settings_form": RoomSettingsForm(initial={
            "slow_mode_seconds": room.slow_mode_seconds, "locked": room.is_locked}),
        "socket_path": f"/ws/groups/{group.slug}/chat/" + ("leaders/" if room.is_for_leaders
                                                          else ""),
        "close_codes": CLOSE_CODES,
    }  # fmt: skip
    return render(request, "chat/room.html", context)


@login_required
@require_POST
def room_settings_view(request, slug, kind=ChatRoom.Kind.MEMBERS):
    room = _room(request, slug, kind)
    permissions.check(request.user, Capability.MODERATE, room.group)
    form = RoomSettingsForm(request.POST)
    if form.is_valid():
        chat.room_update(acting_user=request.user, room=room, **form.cleaned_data)
        messages.success(request, _("The chat settings are saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(room_url(room))


def _message(request, slug, pk) -> ChatMessage:
    group = permissions.get_group_for_user(request.user, slug)
    message = selectors.message_in(group, pk)
    if message is None:
        raise Http404
    permissions.check_can_read_room(request.user, message.room)
    return message


@login_required
@require_POST
def message_delete_view(request, slug, pk):
    message = _message(request, slug, pk)
    chat.chat_message_delete(acting_user=request.user, message=message,
                             reason=request.POST.get("reason", "")[:1000])  # fmt: skip
    return redirect(room_url(message.room))


@login_required
@require_http_methods(["GET", "POST"])
def message_report_view(request, slug, pk):
    message = _message(request, slug, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            chat.chat_message_report(acting_user=request.user, message=message,
                                     **form.cleaned_data)  # fmt: skip
        except limits.RateLimited as error:
            add_form_errors(form, error)  # the form again, with the note they wrote
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
            return redirect(room_url(message.room))
        else:
            messages.success(request, REPORT_THANKS)
            return redirect(room_url(message.room))
    context = {"group": message.room.group, "message": message, "form": form}
    return render(request, "chat/report.html", context)
