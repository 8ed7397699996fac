import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from groups.forms import add_form_errors
from recovery import chart, selectors
from recovery.days import local_today
from recovery.forms import CheckInForm
from recovery.services.checkins import check_in_days, check_in_save

TREND_WINDOWS = (30, 90)


def _day_choices(user) -> list[tuple[datetime.date, str]]:
    days = check_in_days(user)
    labels = [_("Today"), _("Yesterday")]
    return [
        (day, labels[index] if index < len(labels) else date_format(day, "l j F"))
        for index, day in enumerate(days)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def check_in_view(request):
    """A minute's check-in; after a very hard one, the safety plan is one tap away, and
    after several in a row the member is offered more (they choose)."""
    form = CheckInForm(request.POST or None, days=_day_choices(request.user))
    saved = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = check_in_save(
                acting_user=request.user, day=datetime.date.fromisoformat(data["day"]),
                mood=data["mood"], craving=data["craving"], sleep_hours=data["sleep_hours"],
                tags=data["tags"], note=data["note"],
            )  # fmt: skip
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            form = CheckInForm(days=_day_choices(request.user))
    today = local_today(request.user)
    offer_support = saved is not None and selectors.offers_support(request.user, today)
    context = {
        "form": form, "saved": saved,
        "very_hard": saved is not None and selectors.is_very_hard(saved.answers),
        "offer_support": offer_support,
        "leader_groups": selectors.groups_whose_leaders_i_can_ask(request.user)
        if offer_support else [],
    }  # fmt: skip
    return render(request, "recovery/check_in.html", context)


@login_required
@require_GET
def trends_view(request):
    try:
        window = int(request.GET.get("days", TREND_WINDOWS[0]))
    except ValueError:
        window = TREND_WINDOWS[0]
    if window not in TREND_WINDOWS:
        window = TREND_WINDOWS[0]
    days = selectors.trend(request.user, local_today(request.user), window)
    context = {
        "window": window, "windows": TREND_WINDOWS, "days": days,
        "checked_in": [day for day in days if day.mood is not None],
        "slips": [day for day in days if day.slip],
        "mood": chart.panel(_("Mood (1 to 5)"), days, "mood", 1, 5, 1),
        "craving": chart.panel(_("Craving (0 to 10)"), days, "craving", 0, 10, 2),
    }  # fmt: skip
    return render(request, "recovery/trends.html", context)
