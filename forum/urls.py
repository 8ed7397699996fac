from django.urls import path, re_path

from forum.views import notifications, posts, threads

app_name = "forum"
G = "groups/<slug:slug>"
G_RE = r"^groups/(?P<slug>[-a-zA-Z0-9_]+)"
urlpatterns = [
    path(f"{G}/threads/", threads.thread_list_view, name="threads"),
    path(f"{G}/threads/new/", threads.thread_create_view, name="thread_create"),
    path(f"{G}/threads/<int:pk>/", threads.thread_view, name="thread"),
    path(f"{G}/threads/<int:pk>/reply/", threads.reply_view, name="reply"),
    re_path(rf"{G_RE}/threads/(?P<pk>[0-9]+)/(?P<change>pin|unpin|lock|unlock)/$",
            threads.thread_moderate_view, name="thread_moderate"),
    path(f"{G}/posts/<int:pk>/edit/", posts.post_edit_view, name="post_edit"),
    path(f"{G}/posts/<int:pk>/delete/", posts.post_delete_view, name="post_delete"),
    path(f"{G}/posts/<int:pk>/react/", posts.react_view, name="react"),
    path(f"{G}/posts/<int:pk>/report/", posts.report_view, name="report"),
    path(f"{G}/posts/<int:pk>/history/", posts.post_history_view, name="post_history"),
    path(f"{G}/held/", posts.held_posts_view, name="held"),
    re_path(rf"{G_RE}/held/(?P<pk>[0-9]+)/(?P<decision>approve|reject)/$",
            posts.held_post_decide_view, name="held_decide"),
    path(f"{G}/reports/", posts.reports_view, name="reports"),
    path("notifications/", notifications.notifications_view, name="notifications"),
    path("notifications/<int:pk>/", notifications.notification_open_view,
         name="notification_open"),
    path("notifications/read/", notifications.notifications_read_all_view,
         name="notifications_read_all"),
    path("notifications/settings/", notifications.notification_settings_view,
         name="notification_settings"),
]  # fmt: skip
