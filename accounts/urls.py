from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("settings/", views.settings_view, name="settings"),
    path("delete/", views.delete_view, name="delete"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]
