import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from content.models import Creator
from content.studio.services import creator_apply, creator_review
from feedsite.roles import GRANTS, Role, role_join, roles_of
from moderation.roles import roles_sync
from profiles.services import account_create
from tests.factories import BrandFactory, CreatorFactory, ShopperFactory, UserFactory

pytestmark = pytest.mark.django_db


def _members(role: Role) -> set[str]:
    return set(Group.objects.get(name=role.value).user_set.values_list("username", flat=True))


def test_signing_up_joins_the_shoppers():
    user = account_create(username="ann", email="ann@example.com", password="pw-long-enough", visitor_id=None)

    assert roles_of(user) == [Role.SHOPPERS]


@pytest.mark.parametrize(("approval", "creators"), [("auto", True), ("staff", False)])
def test_applying_joins_the_creators_only_when_approved_at_once(settings, approval, creators):
    settings.CREATOR_APPROVAL = approval
    user = UserFactory()

    creator_apply(user=user, handle="maker", display_name="Maker")

    assert (Role.CREATORS in roles_of(user)) is creators


@pytest.mark.parametrize(("decisions", "creators"), [([True], True), ([False], False), ([True, False], False)])
def test_a_review_moves_the_applicant_in_and_out_of_the_creators(settings, decisions, creators):
    settings.CREATOR_APPROVAL = "staff"
    user = UserFactory()
    creator = creator_apply(user=user, handle="maker", display_name="Maker")

    for approve in decisions:
        creator_review(creator=creator, approve=approve)

    assert (Role.CREATORS in roles_of(user)) is creators


def _brand_form(brand, merchants) -> dict:
    return {"name": brand.name, "slug": brand.slug, "merchants": [user.pk for user in merchants]}


def test_the_brand_admin_moves_merchants_in_and_out_of_the_role(admin_client):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    other = BrandFactory()
    other.merchants.add(bob)
    role_join(user=bob, role=Role.MERCHANTS)
    brand = BrandFactory()
    url = reverse("admin:content_brand_change", args=[brand.pk])

    admin_client.post(url, _brand_form(brand, [ann, bob]))
    after_adding = _members(Role.MERCHANTS)
    admin_client.post(url, _brand_form(brand, []))

    assert after_adding == {"ann", "bob"}
    # Bob is still the other brand's merchant.
    assert _members(Role.MERCHANTS) == {"bob"}


def test_deleting_a_brand_takes_its_only_merchants_out_of_the_role(admin_client):
    ann = UserFactory(username="ann")
    brand = BrandFactory()
    admin_client.post(reverse("admin:content_brand_change", args=[brand.pk]), _brand_form(brand, [ann]))

    admin_client.post(reverse("admin:content_brand_delete", args=[brand.pk]), {"post": "yes"})

    assert _members(Role.MERCHANTS) == set()


def test_roles_sync_sets_the_members_that_follow_the_data_and_keeps_staff_roles():
    ShopperFactory(user=UserFactory(username="shopper"))
    CreatorFactory(user=UserFactory(username="approved"), status=Creator.Status.APPROVED)
    CreatorFactory(user=UserFactory(username="applied"), status=Creator.Status.APPLIED)
    BrandFactory().merchants.add(UserFactory(username="merchant"))
    stray = UserFactory(username="stray")
    role_join(user=stray, role=Role.CREATORS)
    role_join(user=stray, role=Role.MERCHANTS)
    role_join(user=stray, role=Role.MODERATORS)

    roles_sync()

    assert {role: _members(role) for role in Role} == {
        Role.SHOPPERS: {"shopper"},
        Role.CREATORS: {"approved"},
        Role.MERCHANTS: {"merchant"},
        Role.MODERATORS: {"stray"},
        Role.MARKETERS: set(),
        Role.ADMINS: set(),
    }


def test_the_roles_command_syncs_then_lists_roles_members_and_permissions(capsys):
    role_join(user=UserFactory(username="mo", is_staff=True), role=Role.MODERATORS)
    role_join(user=UserFactory(username="pat", is_staff=False), role=Role.MARKETERS)
    Group.objects.get(name=Role.MODERATORS.value).permissions.clear()

    call_command("roles", "--sync")
    out = capsys.readouterr().out

    assert out.startswith("Synced: shoppers 0 permissions, creators 0 permissions, merchants 0 permissions, ")
    moderators = out.split("\nmoderators: ")[1].split("\n\n")[0].splitlines()
    assert moderators[1:] == [
        "  members: 1",
        f"  permissions ({len(GRANTS[Role.MODERATORS])}): {', '.join(sorted(GRANTS[Role.MODERATORS]))}",
    ]
    marketers = out.split("\nmarketers: ")[1].split("\n\n")[0].splitlines()
    assert marketers[2] == "  without staff status (cannot sign in to the admin): pat"


@pytest.mark.django_db(transaction=True)
def test_a_migrate_puts_the_roles_back_as_the_grants_say():
    Group.objects.get(name=Role.MARKETERS.value).permissions.clear()
    Group.objects.filter(name=Role.ADMINS.value).delete()

    call_command("migrate", verbosity=0)

    marketers = Group.objects.get(name=Role.MARKETERS.value).permissions
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in marketers.all()) == sorted(GRANTS[Role.MARKETERS])
    assert Group.objects.get(name=Role.ADMINS.value).permissions.count() == Permission.objects.count()


@pytest.mark.django_db(transaction=True)
def test_the_roles_migration_makes_the_groups_and_joins_accounts_to_the_roles_their_rows_give_them():
    before_roles = [("moderation", "0004_reputation")]
    MigrationExecutor(connection).migrate(before_roles)
    Group.objects.all().delete()
    ShopperFactory(user=UserFactory(username="shopper"))
    CreatorFactory(user=UserFactory(username="approved"), status=Creator.Status.APPROVED)
    CreatorFactory(user=UserFactory(username="applied"), status=Creator.Status.APPLIED)
    BrandFactory().merchants.add(UserFactory(username="merchant"))
    UserFactory(username="staff", is_staff=True)

    executor = MigrationExecutor(connection)
    executor.migrate([("moderation", "0005_roles")])
    memberships = {role: _members(role) for role in Role}
    moderators = Group.objects.get(name=Role.MODERATORS.value).permissions
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in moderators.select_related("content_type")}
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert memberships == {
        Role.SHOPPERS: {"shopper"},
        Role.CREATORS: {"approved"},
        Role.MERCHANTS: {"merchant"},
        Role.MODERATORS: set(),
        Role.MARKETERS: set(),
        Role.ADMINS: set(),
    }
    assert granted == set(GRANTS[Role.MODERATORS])
