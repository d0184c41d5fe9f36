import pytest
from django.contrib.auth.models import Permission, User

from tests.factories import UserFactory

# What a moderator is given (the roles migration grants the same to the "moderators" group).
MODERATOR_PERMISSIONS = [
    ("moderation", "review_case"),
    ("moderation", "view_case"),
    ("moderation", "view_audit_log"),
    ("content", "view_contentitem"),
    ("content", "change_contentitem"),
    ("content", "view_comment"),
    ("content", "change_comment"),
]


def make_moderator(username: str, permissions: list[tuple[str, str]] = MODERATOR_PERMISSIONS) -> User:
    user = UserFactory(username=username, is_staff=True)
    for app_label, codename in permissions:
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)  # a fresh instance: no stale permission cache


@pytest.fixture
def moderator() -> User:
    return make_moderator("mod")


@pytest.fixture
def other_moderator() -> User:
    return make_moderator("other")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client
