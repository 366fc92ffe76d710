from django.db import migrations

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
    Dream = apps.get_model("dreams", "Dream")
    if Dream.objects.exists():
        # Dreams written before search existed: index them now.
        from dreams.search import rebuild_index

        rebuild_index()


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in DROP_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("dreams", "0003_motif_vocabulary_and_threads")]

    operations = [migrations.RunPython(create_index, drop_index)]
