from django.urls import path

from moderation.views import members, queue, support

app_name = "moderation"
urlpatterns = [
    path("moderation/", queue.queue_view, name="queue"),
    path("moderation/items/<int:pk>/", queue.item_view, name="item"),
    path("moderation/items/<int:pk>/claim/", queue.item_claim_view, name="claim"),
    path("moderation/items/<int:pk>/act/", queue.item_act_view, name="act"),
    path("moderation/my-reports/", members.my_reports_view, name="my_reports"),
    path("moderation/appeals/<int:pk>/", members.appeal_view, name="appeal"),
    path("groups/<slug:slug>/members/<int:pk>/report/", members.member_report_view,
         name="member_report"),
    path("groups/<slug:slug>/support/", support.support_view, name="support"),
    path("leaders/playbook/", support.playbook_view, name="playbook"),
]  # fmt: skip
