import io

import pytest
from django.core.management import CommandError, call_command

from content.models import ContentItem
from feedsite.roles import Role, roles_of
from moderation.demo import MARKETER_USERNAME, MODERATOR_USERNAME
from moderation.models import Appeal, AuditEntry, Case, Report, Screening

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_settings(settings, tmp_path, moderation_rules):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }


def _open_cases() -> list[tuple[str, str]]:
    targets = Case.objects.filter(status=Case.Status.OPEN)
    return sorted((case.why, "comment" if case.comment_id else "item") for case in targets)


def test_the_moderation_demo_gives_the_demo_moderators_a_queue_of_real_cases():
    call_command("seed_demo", "--scale", "0.05", stdout=io.StringIO())
    out = io.StringIO()

    call_command("seed_moderation_demo", stdout=out)

    assert _open_cases() == [
        ("appeal", "item"),
        ("held", "comment"),
        ("held", "item"),
        ("held", "item"),
        ("held", "item"),
        ("reported", "item"),
        ("reported", "item"),
    ]
    hidden = ContentItem.objects.get(status=ContentItem.Status.HIDDEN)
    assert Report.objects.filter(item=hidden, reason="counterfeit").count() == 3
    assert AuditEntry.objects.filter(action="auto_hide", target_id=hidden.pk, actor=None).count() == 1
    appeal = Appeal.objects.get()
    assert (appeal.contested_by.username, appeal.case.not_for.username) == (MODERATOR_USERNAME, MODERATOR_USERNAME)
    assert Screening.objects.filter(outcome="hold").count() == 5
    staff = {user.username: roles_of(user) for user in appeal.contested_by._meta.model.objects.filter(is_staff=True)}
    assert staff[MODERATOR_USERNAME] == [Role.MODERATORS]
    assert staff[MARKETER_USERNAME] == [Role.MARKETERS]
    assert "7 open cases" in out.getvalue()


def test_the_moderation_demo_runs_once_with_if_empty_and_needs_the_demo_shop():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_moderation_demo", stdout=io.StringIO())
    skipped = io.StringIO()
    call_command("seed_moderation_demo", "--if-empty", stdout=skipped)  # make run on another shop
    assert skipped.getvalue() == "Moderation demo not seeded: Seed the demo shop first (manage.py seed_demo).\n"
    assert Case.objects.count() == 0

    call_command("seed_demo", "--scale", "0.05", stdout=io.StringIO())
    call_command("seed_moderation_demo", "--if-empty", stdout=io.StringIO())
    cases = Case.objects.count()
    out = io.StringIO()
    call_command("seed_moderation_demo", "--if-empty", stdout=out)

    assert Case.objects.count() == cases
    assert out.getvalue() == "Moderation demo already seeded.\n"
