from django.urls import path

from groups.views import moderation

urlpatterns = [
    path("", moderation.queue_view, name="moderation_queue"),
    path("items/<int:pk>/", moderation.item_view, name="moderation_item"),
    path("items/<int:pk>/claim/", moderation.item_claim_view, name="moderation_claim"),
    path("items/<int:pk>/act/", moderation.item_act_view, name="moderation_act"),
    path("my-reports/", moderation.my_reports_view, name="my_reports"),
    path("appeals/<int:pk>/", moderation.appeal_view, name="appeal"),
]
