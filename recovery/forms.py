import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from recovery.models import Goal
from recovery.plan import SECTION_MAX_LENGTH, SECTIONS
from recovery.services.checkins import TAGS

MOODS = [
    (1, _("1 · Very low")), (2, _("2 · Low")), (3, _("3 · Okay")), (4, _("4 · Good")),
    (5, _("5 · Very good")),
]  # fmt: skip


class DateInput(forms.DateInput):
    input_type = "date"


class GoalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is this goal about?"), choices=Goal.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what your goal is about.")},
    )  # fmt: skip
    words = forms.CharField(
        label=_("In your own words (optional)"), required=False, max_length=100,
        help_text=_("For example “One day at a time with alcohol” or “Fewer hours on betting "
                    "apps”. Only you see this."),
    )  # fmt: skip
    started_on = forms.DateField(
        label=_("When did this stretch start?"), widget=DateInput,
        help_text=_("Today, or the day you started. Medication-assisted treatment and "
                    "psychiatric medication are part of recovery and never change your days."),
        error_messages={"required": _("Please give the day you started."),
                        "invalid": _("Please give a date, like 2026-03-01.")},
    )  # fmt: skip


class RestartForm(forms.Form):
    slipped_on = forms.DateField(
        label=_("Which day would you like this stretch to end on?"), widget=DateInput,
        help_text=_("That day starts your next stretch; every day before it still counts."),
        error_messages={"required": _("Please choose a day."),
                        "invalid": _("Please give a date, like 2026-03-01.")},
    )  # fmt: skip
    note = forms.CharField(
        label=_("A note for yourself (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What helped, what you'd like to try next time. Only you see this."),
    )  # fmt: skip


class ShareMilestoneForm(forms.Form):
    group = forms.ChoiceField(label=_("Share in which group?"))
    title = forms.CharField(label=_("Title"), max_length=140)
    body = forms.CharField(label=_("What you'd like to say"), widget=forms.Textarea(
        attrs={"rows": 4}), max_length=5000)  # fmt: skip

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.slug, g.name) for g in groups]


class CheckInForm(forms.Form):
    day = forms.ChoiceField(label=_("Which day is this for?"))
    mood = forms.TypedChoiceField(
        label=_("How is your mood?"), choices=MOODS, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how your mood is, from 1 to 5.")},
    )  # fmt: skip
    craving = forms.IntegerField(
        label=_("How strong are cravings? (0 = none, 10 = the strongest)"), min_value=0,
        max_value=10, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Please choose how strong cravings are, from 0 to 10."),
                        "min_value": _("Please choose from 0 to 10."),
                        "max_value": _("Please choose from 0 to 10."),
                        "invalid": _("Please give a whole number from 0 to 10.")},
    )  # fmt: skip
    sleep_hours = forms.FloatField(
        label=_("Hours of sleep last night (optional)"), required=False, min_value=0,
        max_value=24, widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        error_messages={"min_value": _("Please give hours from 0 to 24."),
                        "max_value": _("Please give hours from 0 to 24."),
                        "invalid": _("Please give a number of hours, like 7 or 6.5.")},
    )  # fmt: skip
    tags = forms.MultipleChoiceField(
        label=_("Any of these? (optional)"), required=False, choices=list(TAGS.items()),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    note = forms.CharField(
        label=_("A private note (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Only you see this."),
    )  # fmt: skip

    def __init__(self, *args, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [(day.isoformat(), label) for day, label in days]
        self.fields["day"].initial = days[0][0].isoformat()


class SafetyPlanForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, heading, prompt in SECTIONS:
            self.fields[key] = forms.CharField(
                label=heading, help_text=prompt, required=False, max_length=SECTION_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
            )  # fmt: skip


class SosChatForm(forms.Form):
    group = forms.ChoiceField(label=_("Which group's chat?"))
    body = forms.CharField(
        label=_("Your message"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        initial=_("I'm having a craving right now and could use some encouragement."),
    )  # fmt: skip
    client_msg_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.slug, g.name) for g in groups]


class SosLeadersForm(forms.Form):
    group = forms.ChoiceField(label=_("Which group's peer leaders?"))
    message = forms.CharField(
        label=_("Anything you'd like them to know (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.slug, g.name) for g in groups]
