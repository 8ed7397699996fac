from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class AdminSite(admin.AdminSite):
    """Django admin behind allauth's login (and its rate limits), open to staff only
    once they have two-factor authentication set up."""

    site_title = _("peersupport administration")
    site_header = _("peersupport administration")
    index_title = _("Run the community")

    def login(self, request, extra_context=None):
        return secure_admin_login(super().login)(request, extra_context)

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        def view_requiring_mfa(request, *args, **kwargs):
            user = request.user
            if user.is_authenticated and user.is_staff and not is_mfa_enabled(user):
                messages.warning(
                    request,
                    _("Staff accounts need two-factor authentication. Set it up to open admin."),
                )
                return redirect("mfa_activate_totp")
            return protected(request, *args, **kwargs)

        return view_requiring_mfa
