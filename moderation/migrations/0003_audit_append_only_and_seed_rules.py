"""The audit log refuses UPDATE and DELETE on PostgreSQL (clearing an erased actor's id excepted);
standings keep their reputation as the computed one; the default rules moderators start from."""

from django.db import migrations
from django.db.models import F

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION moderation_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'moderation_auditentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_audit_append_only BEFORE UPDATE OR DELETE ON moderation_auditentry
    FOR EACH ROW EXECUTE FUNCTION moderation_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS moderation_audit_append_only ON moderation_auditentry;
DROP FUNCTION IF EXISTS moderation_audit_append_only();
"""

# (name, kind, parameter, threshold, action, score, on captions/comments/profiles/media, message)
DEFAULT_RULES = [
    ("Slurs and threats", "terms", "idiot\nmoron\nscammer\nloser\nkys", None, "reject", 0.9, (1, 1, 1, 0),
     "Please keep it kind: this uses words we don't allow."),
    ("Contact and payment outside the shop", "pattern",
     r"(?i)\b(whats ?app|telegram|dm me to buy|wire transfer|western union|cash ?app)\b", None, "hold", 0.7,
     (1, 1, 1, 0), ""),
    ("Several links", "links", "", 1, "hold", 0.6, (1, 1, 1, 0), ""),
    ("Shouting", "shouting", "", 0.7, "hold", 0.3, (1, 1, 1, 0), ""),
    ("Repeated posting", "repeat", "60", 2, "hold", 0.6, (1, 1, 0, 0), ""),
    ("New accounts", "new_account", "", 3, "hold", 0.2, (1, 0, 0, 0), ""),
    ("Near-duplicate media", "near_duplicate", "", 6, "hold", 0.5, (0, 0, 0, 1), ""),
    ("Text classifier", "classifier", "", 0.8, "hold", 0.8, (1, 1, 1, 0), ""),
]


def seed_rules(apps, schema_editor):
    Rule = apps.get_model("moderation", "Rule")
    for name, kind, parameter, threshold, action, score, on, message in DEFAULT_RULES:
        Rule.objects.get_or_create(
            name=name,
            defaults=dict(
                kind=kind, parameter=parameter, threshold=threshold, action=action, score=score,
                on_captions=bool(on[0]), on_comments=bool(on[1]), on_profiles=bool(on[2]), on_media=bool(on[3]),
                message=message,
            ),
        )


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


def computed_from_reputation(apps, schema_editor):
    CreatorStanding = apps.get_model("moderation", "CreatorStanding")
    CreatorStanding.objects.update(computed=F("reputation"))




class Migration(migrations.Migration):
    dependencies = [("moderation", "0002_moderation_and_trust")]

    operations = [
        migrations.RunPython(append_only, drop_append_only),
        migrations.RunPython(computed_from_reputation, migrations.RunPython.noop),
        migrations.RunPython(seed_rules, migrations.RunPython.noop),
    ]
