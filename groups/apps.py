from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "peergroups"  # "groups" is taken by django.contrib.auth's Group
    verbose_name = "Groups"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from groups.services.access import close_sockets_on_logout

        user_logged_out.connect(close_sockets_on_logout, dispatch_uid="close_sockets_on_logout")
