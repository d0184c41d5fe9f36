import importlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission

from feedsite import roles
from feedsite.errors import ApplicationError
from feedsite.roles import ALL_PERMISSIONS, GRANTS, Role, role_join, role_leave, roles_grant, roles_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MIGRATIONS = Path(__file__).resolve().parents[2] / "moderation" / "migrations"


def _granted(role: Role) -> set[str]:
    group = Group.objects.get(name=role.value)
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def _every_permission() -> set[str]:
    return {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }


@pytest.mark.parametrize("role", [role for role in Role if GRANTS[role] != ALL_PERMISSIONS])
def test_a_migrated_database_has_each_role_with_exactly_its_grants(role):
    assert _granted(role) == set(GRANTS[role])


def test_admins_have_every_permission_of_every_app():
    assert _granted(Role.ADMINS) == _every_permission()


@pytest.mark.parametrize("role", [Role.SHOPPERS, Role.CREATORS, Role.MERCHANTS])
def test_the_accounts_roles_grant_nothing_in_the_admin(role):
    assert _granted(role) == set()


def test_the_newest_roles_migration_holds_a_copy_of_the_live_grants():
    newest = sorted(path.stem for path in MIGRATIONS.glob("*_roles.py"))[-1]
    copy = importlib.import_module(f"moderation.migrations.{newest}").GRANTS

    assert {name: set(grant) if grant != "*" else grant for name, grant in copy.items()} == {
        role.value: set(grant) if grant != ALL_PERMISSIONS else "*" for role, grant in GRANTS.items()
    }, "feedsite.roles.GRANTS changed: add a moderation migration NNNN_roles with a copy of it"


def test_roles_grant_puts_back_exactly_the_grants_and_changes_nothing_the_second_time():
    moderators = Group.objects.get(name=Role.MODERATORS.value)
    moderators.permissions.add(Permission.objects.get(codename="activate_model"))
    moderators.permissions.remove(Permission.objects.get(codename="review_case"))
    Group.objects.filter(name=Role.MARKETERS.value).delete()

    first = roles_grant()
    after_first = {role: _granted(role) for role in Role}
    second = roles_grant()

    assert _granted(Role.MODERATORS) == set(GRANTS[Role.MODERATORS])
    assert _granted(Role.MARKETERS) == set(GRANTS[Role.MARKETERS])
    assert first == second == {role: len(after_first[role]) for role in Role}
    assert {role: _granted(role) for role in Role} == after_first


def test_roles_grant_refuses_an_unknown_permission_and_changes_nothing(monkeypatch):
    before = {role: _granted(role) for role in Role}
    monkeypatch.setitem(roles.GRANTS, Role.MARKETERS, ("ranking.view_mixpolicy", "ranking.fly_to_the_moon"))

    with pytest.raises(ApplicationError) as refused:
        roles_grant()

    assert refused.value.code == "unknown_permission"
    assert refused.value.message == "Unknown permissions in the grants: ranking.fly_to_the_moon."
    assert {role: _granted(role) for role in Role} == before


def test_role_join_and_leave_change_only_that_membership():
    user = UserFactory()
    role_join(user=user, role=Role.MODERATORS)
    role_join(user=user, role=Role.MARKETERS)
    role_join(user=user, role=Role.MARKETERS)

    role_leave(user=user, role=Role.MODERATORS)
    role_leave(user=user, role=Role.ADMINS)

    assert roles_of(user) == [Role.MARKETERS]
