from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "peergroups"  # "groups" is taken by django.contrib.auth's Group
    verbose_name = "Groups"

    def ready(self):
        from allauth.mfa.signals import authenticator_removed
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, post_save

        from groups.models import WatchedWord
        from groups.services.access import (
            close_sockets_on_logout,
            recheck_after_two_factor_removed,
        )
        from groups.services.screening import forget_watched_words

        user_logged_out.connect(close_sockets_on_logout, dispatch_uid="close_sockets_on_logout")
        authenticator_removed.connect(recheck_after_two_factor_removed,
                                      dispatch_uid="recheck_after_two_factor_removed")  # fmt: skip
        for signal in (post_save, post_delete):
            signal.connect(forget_watched_words, sender=WatchedWord,
                           dispatch_uid="forget_watched_words")  # fmt: skip
