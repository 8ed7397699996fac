from django.urls import path

from chat import views

app_name = "chat"
urlpatterns = [
    path("groups/<slug:slug>/chat/", views.chat_view, name="room"),
    path("groups/<slug:slug>/chat/settings/", views.room_settings_view, name="settings"),
    path("groups/<slug:slug>/chat/leaders/", views.chat_view, {"kind": "leaders"},
         name="leaders_room"),
    path("groups/<slug:slug>/chat/leaders/settings/", views.room_settings_view,
         {"kind": "leaders"}, name="leaders_settings"),
    path("groups/<slug:slug>/chat/messages/<int:pk>/delete/", views.message_delete_view,
         name="message_delete"),
    path("groups/<slug:slug>/chat/messages/<int:pk>/report/", views.message_report_view,
         name="message_report"),
]  # fmt: skip
