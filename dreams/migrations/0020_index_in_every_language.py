"""The search index in every language, and word lists that SQLite can rebuild dreams under.

1. Each dream's words (dream_word_source) keep the list they count towards in a `scope`
   column, so the trigger that takes them out no longer reads dreams_dream: SQLite refuses to
   rebuild a table that another table's trigger names (any later AlterField on Dream).
2. Each index row's fields become the words of dreams.query.tokens() one space apart (NFKC,
   case folded, accents folded, each CJK character and each emoji a word), and the word lists
   are counted again from them.

This reads the current dreams.query.tokens(): a later change to how words are read needs
`python manage.py rebuild_search_index` (its --check says when). The SQL is as it was at this
migration (dreams/search_backends.py may move on).
"""

import json
import re

from django.db import migrations

from dreams.query import index_text

WORDS = re.compile(r"[^\W\d_]{3,}")
LIST = (
    "CASE WHEN {d}.deleted_at IS NOT NULL THEN NULL "
    "WHEN {d}.visibility = 'shared' THEN 0 ELSE {d}.owner_id END"
)
SOURCE_OF_NEW = "(SELECT {column} FROM dream_word_source WHERE dream_id = new.id)"


def _sqlite_leave(list_sql, words):
    members = f"(SELECT value FROM json_each({words}))"
    return f"""
        UPDATE dream_search_word SET dreams = dreams - 1
            WHERE scope = {list_sql} AND word IN {members};
        DELETE FROM dream_search_word
            WHERE scope = {list_sql} AND word IN {members} AND dreams <= 0;"""


SCOPE_SQL = [
    "ALTER TABLE dream_word_source ADD COLUMN scope {type}",
    f"""UPDATE dream_word_source SET scope = (
        SELECT {LIST.format(d="d")} FROM dreams_dream d WHERE d.id = dream_word_source.dream_id)""",
]
SQLITE_SQL = [
    "DROP TRIGGER IF EXISTS dream_word_source_deleted",
    "DROP TRIGGER IF EXISTS dream_words_deleted",
    "DROP TRIGGER IF EXISTS dream_words_moved",
    f"""CREATE TRIGGER dream_word_source_deleted AFTER DELETE ON dream_word_source
        WHEN old.scope IS NOT NULL BEGIN {_sqlite_leave("old.scope", "old.words")}
        END""",
    """CREATE TRIGGER dream_words_deleted AFTER DELETE ON dreams_dream
        BEGIN DELETE FROM dream_word_source WHERE dream_id = old.id; END""",
    f"""CREATE TRIGGER dream_words_moved
        AFTER UPDATE OF visibility, deleted_at, owner_id ON dreams_dream
        WHEN ({LIST.format(d="old")}) IS NOT ({LIST.format(d="new")}) BEGIN
            {_sqlite_leave(SOURCE_OF_NEW.format(column="scope"),
                           SOURCE_OF_NEW.format(column="words"))}
            UPDATE dream_word_source SET scope = {LIST.format(d="new")}
                WHERE dream_id = new.id;
            INSERT INTO dream_search_word (scope, word, dreams)
                SELECT {LIST.format(d="new")}, value, 1
                FROM json_each({SOURCE_OF_NEW.format(column="words")})
                WHERE ({LIST.format(d="new")}) IS NOT NULL
                ON CONFLICT (scope, word) DO UPDATE SET dreams = dreams + 1;
        END""",
]  # fmt: skip
POSTGRES_SQL = [
    """CREATE OR REPLACE FUNCTION dream_word_source_deleted() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM dream_words_leave(OLD.scope, OLD.words);
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION dream_words_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        was_words text;
        was_scope bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM dream_word_source WHERE dream_id = OLD.id;
            RETURN OLD;
        ELSIF TG_OP = 'TRUNCATE' THEN
            TRUNCATE dream_word_source, dream_search_word;
            RETURN NULL;
        END IF;
        IF dream_word_list(OLD) IS DISTINCT FROM dream_word_list(NEW) THEN
            SELECT words, scope INTO was_words, was_scope
                FROM dream_word_source WHERE dream_id = NEW.id;
            IF FOUND THEN
                PERFORM dream_words_leave(was_scope, was_words);
                UPDATE dream_word_source SET scope = dream_word_list(NEW)
                    WHERE dream_id = NEW.id;
                PERFORM dream_words_join(dream_word_list(NEW), was_words);
            END IF;
        END IF;
        RETURN NULL;
    END $$""",
]
ROWS = {
    "sqlite": ("dream_fts", "rowid", "INTEGER"),
    "postgresql": ("dream_search", "dream_id", "bigint"),
}
EACH = {
    "sqlite": "json_each(s.words) w",
    "postgresql": "json_array_elements_text(s.words::json) AS w(value)",
}
SOURCE_SQL = f"""INSERT INTO dream_word_source (dream_id, words, scope)
    SELECT d.id, %s, {LIST.format(d="d")} FROM dreams_dream d WHERE d.id = %s"""
FILL_SQL = """INSERT INTO dream_search_word (scope, word, dreams)
    SELECT s.scope, w.value, count(*) FROM dream_word_source s, {each}
    WHERE s.scope IS NOT NULL GROUP BY s.scope, w.value ORDER BY s.scope, w.value"""


def every_language(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ROWS:
        return
    table, key, scope_type = ROWS[vendor]
    for statement in SCOPE_SQL:
        schema_editor.execute(statement.format(type=scope_type))
    for statement in SQLITE_SQL if vendor == "sqlite" else POSTGRES_SQL:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, title, body, tags, motifs FROM {table}")
        rows = [(pk, *map(index_text, fields)) for pk, *fields in cursor.fetchall()]
        cursor.executemany(
            f"UPDATE {table} SET title = %s, body = %s, tags = %s, motifs = %s WHERE {key} = %s",
            [(*fields, pk) for pk, *fields in rows],
        )
        # The lists first, so the source rows' triggers find nothing left to take out.
        cursor.execute("DELETE FROM dream_search_word")
        cursor.execute("DELETE FROM dream_word_source")
        sources = []
        for pk, *fields in rows:
            words = {w for w in " ".join(fields).split() if WORDS.fullmatch(w)}
            sources.append((json.dumps(sorted(words), ensure_ascii=False), pk))
        cursor.executemany(SOURCE_SQL, sources)
        cursor.execute(FILL_SQL.format(each=EACH[vendor]))


class Migration(migrations.Migration):
    dependencies = [("dreams", "0019_import_batches")]

    # Backwards, the rows stay as they are (rebuild_search_index writes them as that code
    # did), and so does the column (the older triggers do not read it).
    operations = [migrations.RunPython(every_language, migrations.RunPython.noop)]
