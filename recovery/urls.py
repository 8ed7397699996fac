from django.urls import path

from recovery.views import checkins, goals, plan, sos

app_name = "recovery"

urlpatterns = [
    path("recovery/", goals.index_view, name="index"),
    path("recovery/goals/new/", goals.goal_new_view, name="goal_new"),
    path("recovery/goals/<int:pk>/", goals.goal_view, name="goal"),
    path("recovery/goals/<int:pk>/restart/", goals.goal_restart_view, name="goal_restart"),
    path("recovery/goals/<int:pk>/remove/", goals.goal_delete_view, name="goal_delete"),
    path("recovery/goals/<int:pk>/milestones/<int:days>/", goals.milestone_view, name="milestone"),
    path("recovery/check-in/", checkins.check_in_view, name="check_in"),
    path("recovery/trends/", checkins.trends_view, name="trends"),
    path("recovery/safety-plan/", plan.plan_view, name="plan"),
    path("recovery/safety-plan/edit/", plan.plan_edit_view, name="plan_edit"),
    path("recovery/craving/", sos.sos_view, name="sos"),
]
