from django.contrib import admin
from django.urls import include, path

from peersupport import views

urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/", views.welcome_view, name="welcome"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("", include("safety.urls")),
    path("", include("groups.urls")),
    path("", include("forum.urls")),
    path("", include("chat.urls")),
    path("", include("moderation.urls")),
    path("", include("recovery.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "peersupport.views.bad_request"
handler403 = "peersupport.views.permission_denied"
handler404 = "peersupport.views.page_not_found"
handler500 = "peersupport.views.server_error"
# allauth's rate limits answer with this one (allauth.core.ratelimit.respond_429).
handler429 = "peersupport.views.too_many_requests"
