from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form, ours and allauth's, renders GOV.UK-style: an error summary that
    links to each field, then label, hint, error and input, tied together with
    aria-describedby."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
