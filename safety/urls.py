from django.urls import path

from safety import views

app_name = "safety"
urlpatterns = [
    path("help/", views.help_view, name="help"),
    path("rules/", views.rules_view, name="rules"),
    path("accessibility/", views.accessibility_view, name="accessibility"),
]
