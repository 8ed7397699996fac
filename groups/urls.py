from django.urls import path, re_path

from groups.views import chat, directory, leading, membership, moderation, threads

app_name = "groups"
urlpatterns = [
    path("", directory.directory_view, name="directory"),
    path("new/", directory.group_create_view, name="create"),
    path("<slug:slug>/", membership.group_detail_view, name="detail"),
    path("<slug:slug>/join/", membership.join_view, name="join"),
    path("<slug:slug>/request/", membership.request_view, name="request"),
    path("<slug:slug>/request/withdraw/", membership.withdraw_view, name="withdraw"),
    path("<slug:slug>/leave/", membership.leave_view, name="leave"),
    path("<slug:slug>/welcome/", membership.welcome_view, name="welcome"),
    path("<slug:slug>/rules/accept/", membership.accept_rules_view, name="accept_rules"),
    path("<slug:slug>/listed/", membership.listed_view, name="listed"),
    path("<slug:slug>/edit/", leading.edit_view, name="edit"),
    path("<slug:slug>/requests/", leading.requests_view, name="requests"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/requests/(?P<pk>[0-9]+)/(?P<decision>approve|decline)/$",
        leading.request_decide_view,
        name="request_decide",
    ),
    path("<slug:slug>/members/", leading.members_view, name="members"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/members/(?P<pk>[0-9]+)/"
        r"(?P<action>remove|ban|appoint|demote|transfer)/$",
        leading.member_action_view,
        name="member_action",
    ),
    path(
        "<slug:slug>/members/<int:pk>/report/", moderation.member_report_view, name="member_report"
    ),
    path("<slug:slug>/invites/", leading.invites_view, name="invites"),
    path("<slug:slug>/invites/<int:pk>/revoke/", leading.invite_revoke_view, name="invite_revoke"),
    path("<slug:slug>/log/", leading.log_view, name="log"),
    path("<slug:slug>/threads/", threads.thread_list_view, name="threads"),
    path("<slug:slug>/threads/new/", threads.thread_create_view, name="thread_create"),
    path("<slug:slug>/threads/<int:pk>/", threads.thread_view, name="thread"),
    path("<slug:slug>/threads/<int:pk>/reply/", threads.reply_view, name="reply"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/threads/(?P<pk>[0-9]+)/(?P<change>pin|unpin|lock|unlock)/$",
        threads.thread_moderate_view,
        name="thread_moderate",
    ),
    path("<slug:slug>/posts/<int:pk>/edit/", threads.post_edit_view, name="post_edit"),
    path("<slug:slug>/posts/<int:pk>/delete/", threads.post_delete_view, name="post_delete"),
    path("<slug:slug>/posts/<int:pk>/react/", threads.react_view, name="react"),
    path("<slug:slug>/posts/<int:pk>/report/", threads.report_view, name="report"),
    path("<slug:slug>/posts/<int:pk>/history/", threads.post_history_view, name="post_history"),
    path("<slug:slug>/support/", moderation.support_view, name="support"),
    path("<slug:slug>/chat/", chat.chat_view, name="chat"),
    path("<slug:slug>/chat/settings/", chat.room_settings_view, name="chat_settings"),
    path("<slug:slug>/chat/leaders/", chat.chat_view, {"kind": "leaders"}, name="leaders_chat"),
    path(
        "<slug:slug>/chat/leaders/settings/",
        chat.room_settings_view,
        {"kind": "leaders"},
        name="leaders_chat_settings",
    ),
    path(
        "<slug:slug>/chat/messages/<int:pk>/delete/",
        chat.message_delete_view,
        name="chat_message_delete",
    ),
    path(
        "<slug:slug>/chat/messages/<int:pk>/report/",
        chat.message_report_view,
        name="chat_message_report",
    ),
    path("<slug:slug>/held/", threads.held_posts_view, name="held"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/held/(?P<pk>[0-9]+)/(?P<decision>approve|reject)/$",
        threads.held_post_decide_view,
        name="held_decide",
    ),
    path("<slug:slug>/reports/", threads.reports_view, name="reports"),
]
