from django import forms
from django.utils.translation import gettext_lazy as _

from forum.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, ContentWarning
from groups.forms import CleanedTextInput, MemberTextField
from groups.fragments import RenderedOnceWhenBlank


class PostForm(RenderedOnceWhenBlank, forms.Form):
    body = MemberTextField(what=_("message"), label=_("Your message"), max_length=BODY_MAX_LENGTH,
                           help_text=_("You can use Markdown: **bold**, *italic*, lists, > quotes "
                                       "and links."))  # fmt: skip
    content_warning = forms.ChoiceField(
        label=_("Content warning"),
        choices=ContentWarning.choices,
        required=False,
        help_text=_("Readers see the warning first and choose whether to open the post."),
    )
    content_warning_note = MemberTextField(
        what=_("warning note"), label=_("About the warning (optional; needed for “Other”)"),
        max_length=80, required=False, widget=CleanedTextInput,
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("content_warning") == ContentWarning.OTHER
            and not cleaned.get("content_warning_note", "").strip()
        ):
            self.add_error(
                "content_warning_note", _("Please say in a few words what the warning is about.")
            )
        return cleaned


class ThreadForm(PostForm):
    title = MemberTextField(
        what=_("title"), label=_("Title"), max_length=TITLE_MAX_LENGTH,
        widget=CleanedTextInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip

    field_order = ["title", "body", "content_warning", "content_warning_note"]
