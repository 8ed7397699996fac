from django.db import models
from django.utils.translation import gettext_lazy as _


class CountryHelp(models.Model):
    """Crisis help for one country, editable in admin. safety/helplines.toml seeds it
    and is what the help page shows if the database can't be reached."""

    code = models.CharField(
        _("country code"), max_length=7, unique=True,
        help_text=_("Two letters (US, GB…), or “default” for everywhere not listed."),
    )  # fmt: skip
    country_name = models.CharField(_("country name"), max_length=80)
    emergency_number = models.CharField(_("emergency number"), max_length=40)

    class Meta:
        ordering = ["country_name"]
        verbose_name = _("country's crisis help")
        verbose_name_plural = _("crisis help by country")

    def __str__(self):
        return f"{self.country_name} ({self.code})"


class CrisisResource(models.Model):
    country = models.ForeignKey(CountryHelp, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(_("name"), max_length=120)
    detail = models.TextField(_("what it offers"), max_length=500)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    sms = models.CharField(_("text number"), max_length=40, blank=True)
    url = models.URLField(_("website"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("crisis resource")
        verbose_name_plural = _("crisis resources")

    def __str__(self):
        return self.name
