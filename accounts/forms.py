from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import ratelimit
from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import display_names
from accounts.models import TIME_ZONE_CHOICES, User

format_html_lazy = lazy(format_html, str)


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Display name"))
        kwargs.setdefault(
            "help_text",
            _(
                "The name other members will know you by. Please don't use your real "
                "name. 3 to 30 letters, numbers, spaces or _ - . '"
            ),
        )
        # Long input is reported kindly by the validator, not cut off by the browser.
        kwargs.setdefault("max_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "nickname", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        return display_names.validate_display_name(value)


def check_display_name_free(name: str, *, exclude_user: User | None = None) -> None:
    taken = User.objects.filter(display_name_key=display_names.name_key(name))
    if exclude_user is not None:
        taken = taken.exclude(pk=exclude_user.pk)
    if taken.exists():
        raise forms.ValidationError(
            _(
                "Someone is already known by that name, or by one that looks very like "
                "it. Please choose another."
            ),
            code="taken",
        )


class SignupForm(AllauthSignupForm):
    display_name = DisplayNameField()
    confirm_adult = forms.BooleanField(
        label=_("I am 18 or older"),
        error_messages={
            "required": _("This community is for adults. Please confirm you are 18 or older.")
        },
    )
    accept_rules = forms.BooleanField(
        label=format_html_lazy(
            _('I have read and accept the <a href="{}">community rules</a>'),
            reverse_lazy("safety:rules"),
        ),
        error_messages={"required": _("Please read and accept the community rules to join.")},
    )

    field_order = [
        "email",
        "display_name",
        "password1",
        "password2",
        "confirm_adult",
        "accept_rules",
    ]

    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        check_display_name_free(name)
        return name


class ProfileForm(forms.ModelForm):
    display_name = DisplayNameField()

    class Meta:
        model = User
        fields = ["display_name", "about", "time_zone", "country", "share_presence"]
        help_texts = {
            "about": _("Optional. A few words other members of your groups can read."),
            "time_zone": _("Times in chat and threads are shown in this time zone."),
            "country": _("Used to show you the right crisis helplines. Never shown to others."),
        }
        widgets = {"about": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A real prompt instead of "---------".
        choices = list(self.fields["country"].choices)
        if choices and choices[0][0] == "":
            choices[0] = ("", _("Choose your country (optional)"))
        self.fields["country"].choices = choices

    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        check_display_name_free(name, exclude_user=self.instance)
        return name


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )
    understood = forms.BooleanField(
        label=_("I understand my account cannot be brought back"),
        error_messages={"required": _("Please tick this box to confirm.")},
    )

    def __init__(self, *args, user, request, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        # Wrong guesses are limited like logins (ACCOUNT_RATE_LIMITS["delete_account_failed"],
        # kept in the shared cache), so this page can't be used to guess a password.
        throttle = {"action": "delete_account_failed", "user": self.user}
        if not ratelimit.consume(self.request, dry_run=True, **throttle):
            raise forms.ValidationError(
                _("Too many wrong passwords. Please wait a few minutes, then try again. Your "
                  "account is safe and nothing has been deleted."),
                code="rate_limited",
            )  # fmt: skip
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            ratelimit.consume(self.request, **throttle)
            raise forms.ValidationError(
                _("That password is not right. Please try again."), code="wrong_password"
            )
        return password


class WelcomeForm(forms.Form):
    """The first sign-in welcome: the browser fills in its time zone; the member can
    change it (or skip the whole thing)."""

    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=TIME_ZONE_CHOICES,
        help_text=_("So times on the site, and quiet hours for email, match your day."),
        error_messages={"invalid_choice": _("Please choose your time zone from the list.")},
    )
