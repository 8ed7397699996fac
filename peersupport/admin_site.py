from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from groups import permissions


class AdminSite(admin.AdminSite):
    """Django admin behind allauth's login (and its rate limits), open only to those
    who act with staff powers (permissions.is_staff: staff with two-factor set up)."""

    site_title = _("peersupport administration")
    site_header = _("peersupport administration")
    index_title = _("Run the community")

    def has_permission(self, request):
        return permissions.is_staff(request.user)

    def login(self, request, extra_context=None):
        _refuse_staff_without_two_factor(request)
        return secure_admin_login(super().login)(request, extra_context)

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        def view_requiring_mfa(request, *args, **kwargs):
            _refuse_staff_without_two_factor(request)
            return protected(request, *args, **kwargs)

        return view_requiring_mfa


def _refuse_staff_without_two_factor(request) -> None:
    # The 403 page tells them why and links to setting two-factor up.
    if permissions.needs_two_factor_for_staff_powers(request.user):
        raise PermissionDenied(_("Admin opens once your account has two-factor authentication."))
