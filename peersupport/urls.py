from django.contrib import admin
from django.urls import include, path

from groups.views.membership import invite_accept_view
from groups.views.notifications import notifications_view
from peersupport import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("", include("safety.urls")),
    path("groups/", include("groups.urls")),
    path("invite/<str:token>/", invite_accept_view, name="invite_accept"),
    path("notifications/", notifications_view, name="notifications"),
    path("moderation/", include("groups.moderation_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "peersupport.views.permission_denied"
handler404 = "peersupport.views.page_not_found"
handler500 = "peersupport.views.server_error"
