"""The roles' grants again, with experiments' layers and holdout, the KPIs and segments for marketers.

The six roles as groups with their permissions, and the memberships that follow from the data.

``GRANTS`` is a copy of ``feedsite.roles.GRANTS`` as it was when this migration was written
(migrations never import live code: it may have changed since). A later change to the grants
comes with a new ``NNNN_roles`` migration holding the new copy; ``tests/feedsite/test_roles.py``
checks that the newest copy equals the live table. Running it again changes nothing.

Existing accounts join the roles their rows give them: a user with a shopper joins ``shoppers``,
with an approved creator ``creators``, linked to a brand as merchant ``merchants``. Nobody is made
a moderator, marketer or admin here: staff are given those in the user admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL_PERMISSIONS = "*"


def _crud(label, *actions):
    app, model = label.split(".")
    return tuple(f"{app}.{action}_{model}" for action in actions)


_READ_CONTENT = (
    *_crud("content.contentitem", "view"),
    *_crud("content.creator", "view"),
    *_crud("content.brand", "view"),
    *_crud("content.product", "view"),
    *_crud("content.tag", "view"),
)

GRANTS = {
    "shoppers": (),
    "creators": (),
    "merchants": (),
    "moderators": (
        *_READ_CONTENT,
        "content.change_contentitem",
        *_crud("content.comment", "view", "change"),
        "content.review_creator",
        *_crud("moderation.creatorstanding", "view", "add", "change"),
        "moderation.view_creatordecision",
        *_crud("moderation.case", "view", "change"),
        "moderation.review_case",
        *_crud("moderation.report", "view", "change"),
        *_crud("moderation.appeal", "view", "change"),
        *_crud("moderation.rule", "view", "change"),
        "moderation.view_screening",
        "moderation.view_classifierversion",
        "moderation.view_mediafingerprint",
        "moderation.view_auditentry",
        "moderation.view_audit_log",
        *_crud("moderation.shoppertrust", "view", "change"),
        "profiles.view_shopper",
    ),
    "marketers": (
        *_READ_CONTENT,
        *_crud("ranking.mixpolicy", "view", "add", "change", "delete"),
        *_crud("ranking.mixrule", "view", "add", "change", "delete"),
        *_crud("ranking.merchtrigger", "view", "add", "change", "delete"),
        *_crud("experiments.experiment", "view", "add", "change", "delete"),
        *_crud("experiments.variant", "view", "add", "change", "delete"),
        "experiments.start_experiment",
        *_crud("experiments.layer", "view", "add", "change"),
        *_crud("experiments.holdout", "view", "change"),
        "kpis.view_kpiday",
        "segments.view_segment",
        "segments.view_segmentrun",
        "segments.recompute_segments",
        "ranking.view_feedrequest",
        "ranking.view_rankermodel",
        "ranking.preview_feed",
    ),
    "admins": ALL_PERMISSIONS,
}


def grant(apps, schema_editor):
    # Permissions are made after the whole migrate (post_migrate); a fresh database needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every = {f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")}
    for name, grants in GRANTS.items():
        wanted = list(every) if grants == ALL_PERMISSIONS else list(grants)
        missing = sorted(set(wanted) - set(every))
        if missing:
            raise RuntimeError(f"The {name} role names unknown permissions: {', '.join(missing)}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([every[permission] for permission in wanted])


def join(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    members = {
        "shoppers": User.objects.filter(shopper__isnull=False),
        "creators": User.objects.filter(creator__status="approved"),
        "merchants": User.objects.filter(merchant_brands__isnull=False).distinct(),
    }
    for name, users in members.items():
        Group.objects.get(name=name).user_set.add(*users)


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("axes", "0010_accessattemptexpiration"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sessions", "0001_initial"),
        ("content", "0008_roles_permissions"),
        ("profiles", "0008_roles_permissions"),
        ("events", "0002_eventbacklog_appended_at"),
        ("shop", "0001_initial"),
        ("privacy", "0002_archive_private"),
        ("ranking", "0007_roles_permissions"),
        ("experiments", "0005_default_layer"),
        ("segments", "0002_run_as_of_and_recompute_permission"),
        ("kpis", "0001_daily_rollup"),
        ("moderation", "0006_admin_names"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(join, migrations.RunPython.noop),
    ]
