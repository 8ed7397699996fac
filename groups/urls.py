from django.urls import path, re_path

from groups.views import directory, leading, membership

app_name = "groups"
G = "groups/<slug:slug>"
G_RE = r"^groups/(?P<slug>[-a-zA-Z0-9_]+)"
urlpatterns = [
    path("groups/", directory.directory_view, name="directory"),
    path("groups/new/", directory.group_create_view, name="create"),
    path(f"{G}/", membership.group_detail_view, name="detail"),
    path(f"{G}/join/", membership.join_view, name="join"),
    path(f"{G}/request/", membership.request_view, name="request"),
    path(f"{G}/request/withdraw/", membership.withdraw_view, name="withdraw"),
    path(f"{G}/leave/", membership.leave_view, name="leave"),
    path(f"{G}/welcome/", membership.welcome_view, name="welcome"),
    path(f"{G}/rules/accept/", membership.accept_rules_view, name="accept_rules"),
    path(f"{G}/listed/", membership.listed_view, name="listed"),
    path(f"{G}/edit/", leading.edit_view, name="edit"),
    path(f"{G}/requests/", leading.requests_view, name="requests"),
    re_path(rf"{G_RE}/requests/(?P<pk>[0-9]+)/(?P<decision>approve|decline)/$",
            leading.request_decide_view, name="request_decide"),
    path(f"{G}/members/", leading.members_view, name="members"),
    re_path(rf"{G_RE}/members/(?P<pk>[0-9]+)/(?P<action>remove|ban|appoint|demote|transfer)/$",
            leading.member_action_view, name="member_action"),
    path(f"{G}/invites/", leading.invites_view, name="invites"),
    path(f"{G}/invites/<int:pk>/revoke/", leading.invite_revoke_view, name="invite_revoke"),
    path(f"{G}/log/", leading.log_view, name="log"),
    path("invite/<str:token>/", membership.invite_accept_view, name="invite_accept"),
]  # fmt: skip
