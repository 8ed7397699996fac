"""Staff powers need two-factor authentication: one rule (permissions.is_staff), asked
everywhere. The tables (tests/test_url_permissions.py, test_permission_table.py,
test_socket_permission_table.py) check every page and socket; these check the rule."""

import pytest

from groups import permissions
from groups.models import Group
from tests.factories import Community, add_totp_authenticator, fresh, make_group, make_staff

pytestmark = pytest.mark.django_db


def test_staff_without_two_factor_have_no_staff_powers_and_see_what_a_member_sees():
    hidden = make_group(visibility=Group.Visibility.HIDDEN)
    world = Community()
    staff = fresh(make_staff(mfa=False))
    assert not permissions.is_staff(staff)
    assert permissions.needs_two_factor_for_staff_powers(staff)
    assert not permissions.can_open_queue(staff)
    assert not permissions.can_open_groups_without_approval(staff)
    assert hidden not in permissions.groups_visible_to(staff)
    assert hidden not in permissions.groups_readable_by(staff)
    assert not permissions.can(staff, permissions.Capability.MODERATE, world.group)
    assert list(permissions.items_visible_to(staff)) == []
    assert staff not in permissions.staff_with_powers()


def test_setting_two_factor_up_turns_staff_powers_on():
    staff = make_staff(mfa=False)
    add_totp_authenticator(staff)
    staff = fresh(staff)
    assert permissions.is_staff(staff)
    assert not permissions.needs_two_factor_for_staff_powers(staff)
    assert staff in permissions.staff_with_powers()


def test_staff_powers_are_looked_up_once_per_user_object(django_assert_num_queries):
    staff = fresh(make_staff())
    with django_assert_num_queries(1):
        assert all(permissions.is_staff(staff) for _ in range(5))


def test_a_long_lived_user_object_is_judged_again_once_its_cache_is_forgotten():
    staff = fresh(make_staff())
    assert permissions.is_staff(staff)
    staff.authenticator_set.all().delete()
    permissions.forget_memberships(staff)
    assert not permissions.is_staff(staff)


def test_members_and_inactive_staff_have_no_staff_powers():
    member = fresh(make_staff(is_staff=False, is_superuser=False))
    assert not permissions.is_staff(member)
    assert not permissions.needs_two_factor_for_staff_powers(member)
    inactive = fresh(make_staff(is_active=False))
    assert not permissions.is_staff(inactive)
