"""PostgreSQL's search index (SQLite's is FTS5, migration 0004). Nothing happens on SQLite.

The two models are unmanaged: their tables exist only on PostgreSQL, made here from the
models as they are at this migration, with what Django cannot say itself (the text search
configuration, GIN indexes, the triggers that follow deleted dreams).
"""

import django.contrib.postgres.search
import django.db.models.deletion
import re

from django.db import migrations, models

WORD = re.compile(r"[^\W\d_]{3,}")

# As SQLite's FTS5 index reads words: porter stems, accents folded, every word kept (no stop
# words), hyphenated words as their parts. Tokens PostgreSQL's parser sees as e-mail or web
# addresses are left out.
SETUP_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH DICTIONARY somnia_porter (TEMPLATE = snowball, Language = porter)",
    "CREATE TEXT SEARCH CONFIGURATION somnia (PARSER = default)",
    """ALTER TEXT SEARCH CONFIGURATION somnia ADD MAPPING FOR
        asciiword, word, numword, hword_asciipart, hword_part, hword_numpart, int, uint
        WITH unaccent, somnia_porter""",
]
INDEX_SQL = [
    "CREATE INDEX dream_search_document ON dream_search USING gin (document)",
    "CREATE INDEX dream_search_word_trigram ON dream_search_word USING gin (word gin_trgm_ops)",
    # Dreams deleted by any path (purged trash, a deleted account, the admin) leave the
    # index, and emptying the dreams (as Django's test flush does) empties it too.
    """CREATE FUNCTION dream_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE dream_search;
        ELSE
            DELETE FROM dream_search WHERE dream_id = OLD.id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER dream_search_deleted AFTER DELETE ON dreams_dream
        FOR EACH ROW EXECUTE FUNCTION dream_search_forget()""",
    """CREATE TRIGGER dream_search_truncated AFTER TRUNCATE ON dreams_dream
        FOR EACH STATEMENT EXECUTE FUNCTION dream_search_forget()""",
]
BACKFILL_SQL = """
INSERT INTO dream_search (dream_id, title, body, tags, motifs)
SELECT d.id, d.title, d.body,
  coalesce((SELECT string_agg(t.name, ' ' ORDER BY dt.id)
      FROM dreams_dreamtag dt JOIN dreams_tag t ON t.id = dt.tag_id
      WHERE dt.dream_id = d.id), ''),
  coalesce((SELECT string_agg(m.name, ' ' ORDER BY m.name)
      FROM dreams_dreammotif dm JOIN dreams_motif m ON m.id = dm.motif_id
      WHERE dm.dream_id = d.id AND dm.status IN ('detected', 'added')), '')
FROM dreams_dream d
"""
DROP_SQL = [
    "DROP TABLE IF EXISTS dream_search",
    "DROP TABLE IF EXISTS dream_search_word",
    "DROP TRIGGER IF EXISTS dream_search_deleted ON dreams_dream",
    "DROP TRIGGER IF EXISTS dream_search_truncated ON dreams_dream",
    "DROP FUNCTION IF EXISTS dream_search_forget()",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS somnia",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS somnia_porter",
]


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in SETUP_SQL:
        schema_editor.execute(statement)
    schema_editor.create_model(apps.get_model("dreams", "SearchDocument"))
    schema_editor.create_model(apps.get_model("dreams", "SearchWord"))
    for statement in INDEX_SQL:
        schema_editor.execute(statement)
    schema_editor.execute(BACKFILL_SQL)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT title, body, tags, motifs FROM dream_search")
        words = {
            word.casefold() for row in cursor.fetchall() for word in WORD.findall(" ".join(row))
        }
        cursor.executemany(
            "INSERT INTO dream_search_word (word) VALUES (%s) ON CONFLICT DO NOTHING",
            [(w,) for w in words],
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('dreams', '0007_covering_motif_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('dream', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='dreams.dream')),
                ('title', models.TextField()),
                ('body', models.TextField()),
                ('tags', models.TextField()),
                ('motifs', models.TextField()),
                ('document', models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title', config='somnia', weight='A'), '||', django.contrib.postgres.search.SearchVector('tags', config='somnia', weight='B'), django.contrib.postgres.search.SearchConfig('somnia')), '||', django.contrib.postgres.search.SearchVector('motifs', config='somnia', weight='C'), django.contrib.postgres.search.SearchConfig('somnia')), '||', django.contrib.postgres.search.SearchVector('body', config='somnia', weight='D'), django.contrib.postgres.search.SearchConfig('somnia')), output_field=django.contrib.postgres.search.SearchVectorField())),
            ],
            options={
                'db_table': 'dream_search',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', models.TextField(unique=True)),
            ],
            options={
                'db_table': 'dream_search_word',
                'managed': False,
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]
