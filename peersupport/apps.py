from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "peersupport.admin_site.AdminSite"


class PeersupportConfig(AppConfig):
    """The project itself: its demo data command lives here."""

    name = "peersupport"
    verbose_name = "peersupport"
