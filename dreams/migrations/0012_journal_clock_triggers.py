"""The journal clock ticks on every change to dreams_dream, through triggers, in the same
transaction: caches keyed on it see every path that writes dreams (see JournalClock)."""

from django.db import migrations

# As dreams.models.CLOCK_SQL was when this migration was written.
SQLITE_SQL = [
    f"""CREATE TRIGGER IF NOT EXISTS dream_clock_{event.lower()}
        AFTER {event} ON dreams_dream BEGIN
            INSERT OR IGNORE INTO dreams_journalclock (id, changes) VALUES (1, 0);
            UPDATE dreams_journalclock SET changes = changes + 1 WHERE id = 1;
        END"""
    for event in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS dream_clock_{e}" for e in ("insert", "update", "delete")]
# Once per statement: a bulk write ticks once. The row lock orders the ticks by commit.
POSTGRES_SQL = [
    """CREATE FUNCTION dream_clock_tick() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO dreams_journalclock (id, changes) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
        UPDATE dreams_journalclock SET changes = changes + 1 WHERE id = 1;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER dream_clock_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON dreams_dream FOR EACH STATEMENT EXECUTE FUNCTION dream_clock_tick()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS dream_clock_changed ON dreams_dream",
    "DROP FUNCTION IF EXISTS dream_clock_tick()",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_SQL, "postgresql": POSTGRES_SQL}.get(vendor, []):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("dreams", "0011_scope_index")]

    operations = [
        migrations.RenameField("journalclock", "deletions", "changes"),
        migrations.RemoveIndex("dream", "dream_updated_idx"),
        migrations.RemoveIndex("dream", "dream_owner_updated_idx"),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
