"""Append-only audit trail enforced by the database, and review defaults for existing conferences."""

from django.db import migrations

from reviews.defaults import DEFAULT_CRITERIA, DEFAULT_TEMPLATES

TABLE = "reviews_auditevent"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION reviews_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'audit events are append-only (' || TG_OP || ' refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reviews_audit_no_update BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION reviews_audit_append_only();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER IF EXISTS reviews_audit_no_update ON {TABLE};
DROP FUNCTION IF EXISTS reviews_audit_append_only();
"""
# SQLite: updates only. Django's test flush empties tables with DELETE on SQLite (TRUNCATE on
# PostgreSQL, which row triggers do not see), so a delete trigger would break flushing.
SQLITE_UP = [
    f"CREATE TRIGGER reviews_audit_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS reviews_audit_no_update;",
]


def triggers_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def triggers_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


def defaults_for_existing_conferences(apps, schema_editor):
    Conference = apps.get_model("conferences", "Conference")
    ReviewSettings = apps.get_model("reviews", "ReviewSettings")
    ReviewCriterion = apps.get_model("reviews", "ReviewCriterion")
    NotificationTemplate = apps.get_model("reviews", "NotificationTemplate")
    for conference in Conference.objects.all():
        ReviewSettings.objects.get_or_create(conference=conference)
        if not ReviewCriterion.objects.filter(conference=conference).exists():
            for position, (name, guidance) in enumerate(DEFAULT_CRITERIA):
                ReviewCriterion.objects.create(
                    conference=conference, name=name, guidance=guidance, position=position
                )
        for outcome, (subject, body) in DEFAULT_TEMPLATES.items():
            NotificationTemplate.objects.get_or_create(
                conference=conference, outcome=outcome, defaults={"subject": subject, "body": body}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("conferences", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(triggers_up, triggers_down),
        migrations.RunPython(defaults_for_existing_conferences, migrations.RunPython.noop),
    ]
