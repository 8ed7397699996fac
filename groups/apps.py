from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "peergroups"  # "groups" is taken by django.contrib.auth's Group
    verbose_name = "Groups"
