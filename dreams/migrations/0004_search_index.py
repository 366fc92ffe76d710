import re

from django.db import migrations

WORD = re.compile(r"[^\W\d_]{3,}")
BACKFILL_SQL = """
INSERT INTO dream_fts (rowid, title, body, tags, motifs)
SELECT d.id, d.title, d.body,
  coalesce((SELECT group_concat(name, ' ') FROM (
      SELECT t.name FROM dreams_dreamtag dt JOIN dreams_tag t ON t.id = dt.tag_id
      WHERE dt.dream_id = d.id ORDER BY dt.id)), ''),
  coalesce((SELECT group_concat(name, ' ') FROM (
      SELECT m.name FROM dreams_dreammotif dm JOIN dreams_motif m ON m.id = dm.motif_id
      WHERE dm.dream_id = d.id AND dm.status IN ('detected', 'added') ORDER BY m.name)), '')
FROM dreams_dream d
"""

# The SQL as it was when this migration was written (dreams/search.py may move on).
CREATE_SQL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS dream_fts USING fts5(
        title, body, tags, motifs, tokenize = 'porter unicode61 remove_diacritics 2')""",
    """CREATE TABLE IF NOT EXISTS dream_search_word (
        id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE)""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS dream_word_trigram USING fts5(
        word, content = 'dream_search_word', content_rowid = 'id', tokenize = 'trigram')""",
    """CREATE TRIGGER IF NOT EXISTS dream_search_word_added AFTER INSERT ON dream_search_word
        BEGIN INSERT INTO dream_word_trigram(rowid, word) VALUES (new.id, new.word); END""",
    # Dreams deleted by any path (purged trash, a deleted account, the admin) leave the index.
    """CREATE TRIGGER IF NOT EXISTS dream_fts_deleted AFTER DELETE ON dreams_dream
        BEGIN DELETE FROM dream_fts WHERE rowid = old.id; END""",
]
DROP_SQL = [
    "DROP TRIGGER IF EXISTS dream_fts_deleted",
    "DROP TRIGGER IF EXISTS dream_search_word_added",
    "DROP TABLE IF EXISTS dream_word_trigram",
    "DROP TABLE IF EXISTS dream_search_word",
    "DROP TABLE IF EXISTS dream_fts",
]


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in CREATE_SQL:
        schema_editor.execute(statement)
    # Dreams written before search existed: index them now, in SQL of this moment's schema.
    schema_editor.execute(BACKFILL_SQL)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT title, body, tags, motifs FROM dream_fts")
        words = {
            word.casefold() for row in cursor.fetchall() for word in WORD.findall(" ".join(row))
        }
        cursor.executemany(
            "INSERT OR IGNORE INTO dream_search_word (word) VALUES (%s)", [(w,) for w in words]
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in DROP_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("dreams", "0003_motif_vocabulary_and_threads")]

    operations = [migrations.RunPython(create_index, drop_index)]
