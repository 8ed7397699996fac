from django.contrib import admin

from safety.models import CountryHelp, CrisisResource


class CrisisResourceInline(admin.StackedInline):
    model = CrisisResource
    extra = 0


@admin.register(CountryHelp)
class CountryHelpAdmin(admin.ModelAdmin):
    list_display = ["country_name", "code", "emergency_number"]
    search_fields = ["country_name", "code"]
    inlines = [CrisisResourceInline]
