"""Where the search index lives on each database. dreams/search.py holds what they share
(the query language, the scope, the fallbacks for typos); these hold only the SQL.

Both index the same four fields of a dream with the same weights, as dreams/search.py
writes them (the words of query.tokens(), one space apart: normalised and case folded, CJK
characters and emoji as words), and read them alike: porter stems, no stop words. Snippets
are made in Python (search.snippet), the same on both.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Collate, Length

from dreams.models import SEARCH_CONFIG, SearchDocument, SearchWord
from dreams.query import Query, Term

# Weights of the title, body, tags and motifs: a word in the title says more than one in the body.
WEIGHTS = {"title": 10.0, "body": 1.0, "tags": 4.0, "motifs": 2.0}

Document = tuple[int, str, str, str, str]  # pk, title, body, tags, motifs


def _trigrams(word: str) -> list[str]:
    return sorted({word[i : i + 3] for i in range(len(word) - 2)})


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


_SHORTEST = "length(word), word"


def _in_scope(scoped) -> tuple[str, list]:
    """(SQL, params): the FTS row's dream is one of `scoped`. "+rowid" lets the MATCH drive
    the query; the scope (read off a covering index) only filters what it finds."""
    ids_sql, params = scoped.order_by().values("id").query.sql_with_params()
    return f"+rowid IN ({ids_sql})", list(params)


# The word lists behind suggestions for typos and parts of words. Each dream's distinct words
# (dream_word_source, a JSON array) count towards one list (its `scope`, and that of the
# words in dream_search_word): 0 while the dream is shared, its owner's id while private, none
# in the trash. A viewer's suggestions come only from list 0 and their own, so no word of a
# private dream reaches anyone else, and one journal's words cost nothing in another's
# searches. Python adds a dream's words as it indexes it; triggers take them out, or move
# them, when the dream is re-indexed, shared, unshared, trashed, restored or deleted by any
# path (a purge, a deleted account, the admin). Only triggers on dreams_dream name that table
# (SQLite must be able to rebuild it under the others).
WORD_LIST = (
    "CASE WHEN {d}.deleted_at IS NOT NULL THEN NULL "
    "WHEN {d}.visibility = 'shared' THEN 0 ELSE {d}.owner_id END"
)
SHARED_LIST = 0
_SQLITE_WORDS_OF = "(SELECT value FROM json_each({words}))"
_SOURCE_OF_NEW = "(SELECT {column} FROM dream_word_source WHERE dream_id = new.id)"


def _sqlite_leave(list_sql: str, words: str) -> str:
    members = _SQLITE_WORDS_OF.format(words=words)
    return f"""
        UPDATE dream_search_word SET dreams = dreams - 1
            WHERE scope = {list_sql} AND word IN {members};
        DELETE FROM dream_search_word
            WHERE scope = {list_sql} AND word IN {members} AND dreams <= 0;"""


SQLITE_WORDS_SQL = [
    """CREATE TABLE IF NOT EXISTS dream_search_word (
        id INTEGER PRIMARY KEY, scope INTEGER NOT NULL, word TEXT NOT NULL,
        dreams INTEGER NOT NULL, UNIQUE (scope, word))""",
    # Only the shared list has a trigram index: a private list is read by its owner alone.
    """CREATE VIRTUAL TABLE IF NOT EXISTS dream_word_trigram USING fts5(
        word, content = 'dream_search_word', content_rowid = 'id', tokenize = 'trigram')""",
    """CREATE TRIGGER IF NOT EXISTS dream_search_word_added AFTER INSERT ON dream_search_word
        WHEN new.scope = 0
        BEGIN INSERT INTO dream_word_trigram(rowid, word) VALUES (new.id, new.word); END""",
    """CREATE TRIGGER IF NOT EXISTS dream_search_word_dropped AFTER DELETE ON dream_search_word
        WHEN old.scope = 0 BEGIN
            INSERT INTO dream_word_trigram(dream_word_trigram, rowid, word)
            VALUES ('delete', old.id, old.word);
        END""",
    """CREATE TABLE IF NOT EXISTS dream_word_source (
        dream_id INTEGER PRIMARY KEY, words TEXT NOT NULL, scope INTEGER)""",
    f"""CREATE TRIGGER IF NOT EXISTS dream_word_source_deleted AFTER DELETE ON dream_word_source
        WHEN old.scope IS NOT NULL BEGIN {_sqlite_leave("old.scope", "old.words")}
        END""",
    """CREATE TRIGGER IF NOT EXISTS dream_words_deleted AFTER DELETE ON dreams_dream
        BEGIN DELETE FROM dream_word_source WHERE dream_id = old.id; END""",
    f"""CREATE TRIGGER IF NOT EXISTS dream_words_moved
        AFTER UPDATE OF visibility, deleted_at, owner_id ON dreams_dream
        WHEN ({WORD_LIST.format(d="old")}) IS NOT ({WORD_LIST.format(d="new")}) BEGIN
            {
        _sqlite_leave(_SOURCE_OF_NEW.format(column="scope"), _SOURCE_OF_NEW.format(column="words"))
    }
            UPDATE dream_word_source SET scope = {WORD_LIST.format(d="new")}
                WHERE dream_id = new.id;
            INSERT INTO dream_search_word (scope, word, dreams)
                SELECT {WORD_LIST.format(d="new")}, value, 1
                FROM json_each({_SOURCE_OF_NEW.format(column="words")})
                WHERE ({WORD_LIST.format(d="new")}) IS NOT NULL
                ON CONFLICT (scope, word) DO UPDATE SET dreams = dreams + 1;
        END""",
]
# The list each of some dreams' words count towards, as their rows say now.
_SCOPES_SQL = f"SELECT d.id, {WORD_LIST.format(d='d')} FROM dreams_dream d WHERE d.id IN ({{ids}})"
_SOURCE_SQL = "INSERT INTO dream_word_source (dream_id, words, scope) VALUES (%s, %s, %s)"
# New dreams' words join their lists: counted per list and word, one statement per batch.
_JOIN_SQL = """INSERT INTO dream_search_word (scope, word, dreams)
    SELECT s.scope, w.value, count(*) FROM dream_word_source s, {each}
    WHERE s.dream_id IN ({ids}) AND s.scope IS NOT NULL
    GROUP BY s.scope, w.value ORDER BY s.scope, w.value
    ON CONFLICT (scope, word) DO UPDATE SET dreams = dream_search_word.dreams + excluded.dreams"""
# What the lists should hold, from the dreams' words: for check_index().
_EXPECTED_SQL = """SELECT s.scope, w.value AS word, count(*) AS dreams
    FROM dream_word_source s, {each} WHERE s.scope IS NOT NULL GROUP BY s.scope, w.value"""
_WORD_LIST_CHECK = """SELECT
    (SELECT count(*) FROM ({expected} EXCEPT SELECT scope, word, dreams FROM dream_search_word) a),
    (SELECT count(*) FROM (SELECT scope, word, dreams FROM dream_search_word EXCEPT {expected}) b),
    (SELECT count(*) FROM dream_word_source WHERE dream_id NOT IN (SELECT id FROM dreams_dream)),
    (SELECT count(*) FROM dream_word_source s JOIN dreams_dream d ON d.id = s.dream_id
        WHERE coalesce(s.scope, -1) <> coalesce({list}, -1))"""


def _chunks(pks: list[int], size: int = 500):
    for start in range(0, len(pks), size):
        yield pks[start : start + size]


class _WordLists:
    """What both databases share about the word lists; EACH is how SQL spells a JSON array's
    elements as rows with a `value` column."""

    EACH = ""
    FIND = ""  # the function giving where a part is in a word (0 when it is not)

    def _write_words(self, cursor, sources: list[tuple[int, str]]) -> None:
        # The lists are read for many dreams at once: an INSERT … SELECT for each dream took
        # about a tenth of a DreamBank-sized import's CPU on SQLite (~0.1 ms a dream).
        pks = [pk for pk, _ in sources]
        scopes: dict[int, int | None] = {}
        for ids in _chunks(pks):
            cursor.execute(_SCOPES_SQL.format(ids=", ".join(["%s"] * len(ids))), ids)
            scopes.update(cursor.fetchall())
        cursor.executemany(
            _SOURCE_SQL, [(pk, words, scopes[pk]) for pk, words in sources if pk in scopes]
        )
        for ids in _chunks(pks):
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(_JOIN_SQL.format(each=self.EACH, ids=marks), ids)

    @staticmethod
    def _forget_words(cursor, pks: list[int]) -> None:
        for ids in _chunks(pks):
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM dream_word_source WHERE dream_id IN ({marks})", ids)

    def sources(self) -> dict[int, str]:
        """Each indexed dream's words, as the JSON array that was written."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT dream_id, words FROM dream_word_source")
            return dict(cursor.fetchall())

    def word_list_problems(self) -> list[str]:
        expected = _EXPECTED_SQL.format(each=self.EACH)
        check = _WORD_LIST_CHECK.format(expected=expected, list=WORD_LIST.format(d="d"))
        with connection.cursor() as cursor:
            cursor.execute(check)
            missing, extra, orphans, misplaced = cursor.fetchone()
        problems = []
        if missing or extra:
            problems.append(
                f"the word lists differ from the dreams' words ({missing} counts missing or "
                f"wrong, {extra} too many)"
            )
        if orphans:
            problems.append(f"{orphans} dreams' words outlived their dreams")
        if misplaced:
            problems.append(f"{misplaced} dreams' words count towards the wrong list")
        return problems

    def private_words(self, scope: int, parts: list[str], *, limit: int) -> list[str]:
        """Words of one owner's private dreams that contain any of these parts, shortest
        first: a scan of that owner's list only (by its unique index), however long others'."""
        if not parts:
            return []
        condition = " OR ".join([f"{self.FIND}(word, %s) > 0"] * len(parts))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT word FROM dream_search_word WHERE scope = %s AND ({condition}) "
                "ORDER BY length(word), word LIMIT %s",
                [scope, *parts, limit],
            )
            return [row[0] for row in cursor.fetchall()]


class SQLiteIndex(_WordLists):
    """FTS5 (dream_fts) ranked by bm25, and a trigram FTS5 table over the shared word list."""

    MIGRATION = "0020_index_in_every_language"  # the newest migration of the SQL in CREATE_SQL

    CREATE_SQL = [
        """CREATE VIRTUAL TABLE IF NOT EXISTS dream_fts USING fts5(
            title, body, tags, motifs, tokenize = 'porter unicode61 remove_diacritics 2')""",
        # Dreams deleted by any path (purged trash, a deleted account, the admin) leave the index.
        """CREATE TRIGGER IF NOT EXISTS dream_fts_deleted AFTER DELETE ON dreams_dream
            BEGIN DELETE FROM dream_fts WHERE rowid = old.id; END""",
        *SQLITE_WORDS_SQL,
    ]

    EACH = "json_each(s.words) w"
    FIND = "instr"

    def write(self, documents: list[Document], sources: list[tuple[int, str]]) -> None:
        """Index rows for new dreams, and their words (pk, JSON array) into the word lists."""
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO dream_fts (rowid, title, body, tags, motifs) "
                "VALUES (%s, %s, %s, %s, %s)",
                documents,
            )
            self._write_words(cursor, sources)

    def forget(self, pks: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM dream_fts WHERE rowid = %s", [(pk,) for pk in pks])
            self._forget_words(cursor, pks)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM dream_fts")
            cursor.execute("DELETE FROM dream_search_word")  # its trigger empties the trigrams
            cursor.execute("DELETE FROM dream_word_source")

    def rows(self) -> dict[int, tuple[str, str, str, str]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid, title, body, tags, motifs FROM dream_fts")
            return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}

    def integrity(self) -> list[str]:
        with connection.cursor() as cursor:
            try:
                cursor.execute("INSERT INTO dream_fts(dream_fts) VALUES ('integrity-check')")
            except Exception as error:
                return [f"FTS integrity check failed: {error}"]
        return []

    @staticmethod
    def _matching(scoped, parsed: Query) -> tuple[str, list]:
        """(SQL, params) selecting ids of scoped dreams that the query's terms match."""
        in_scope, params = _in_scope(scoped)
        conditions = [in_scope]
        if parsed.groups:
            conditions.append("dream_fts MATCH %s")
            params.append(parsed.match_expression())
        if parsed.excluded:
            conditions.append("rowid NOT IN (SELECT rowid FROM dream_fts WHERE dream_fts MATCH %s)")
            params.append(parsed.exclusion_expression())
        return " AND ".join(conditions), params

    def page(self, scoped, parsed: Query, *, offset: int, limit: int) -> tuple[int, list[int]]:
        """(how many match, the ids of one page of them, best first)."""
        where, params = self._matching(scoped, parsed)
        weights = ", ".join(str(WEIGHTS[f]) for f in ("title", "body", "tags", "motifs"))
        # With only exclusions there is nothing to rank by: newest first.
        rank = f"bm25(dream_fts, {weights})" if parsed.groups else "-rowid"
        with connection.cursor() as cursor:
            # One pass ranks every match and counts them.
            cursor.execute(
                f"SELECT id, count(*) OVER () FROM (SELECT rowid AS id, {rank} AS rank "
                f"FROM dream_fts WHERE {where}) ORDER BY rank, id DESC LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            ranked = cursor.fetchall()
            if not ranked:
                cursor.execute(f"SELECT count(*) FROM dream_fts WHERE {where}", params)
                return cursor.fetchone()[0], []
        return ranked[0][1], [row[0] for row in ranked]

    def ids(self, scoped, parsed: Query) -> set[int]:
        where, params = self._matching(scoped, parsed)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM dream_fts WHERE {where}", params)
            return {row[0] for row in cursor.fetchall()}

    def occurs(self, scoped, word: str) -> bool:
        in_scope, params = _in_scope(scoped)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM dream_fts WHERE dream_fts MATCH %s AND {in_scope} LIMIT 1",
                [_fts_phrase(word), *params],
            )
            return cursor.fetchone() is not None

    def containing(self, part: str, *, scope: int, limit: int) -> list[str]:
        """Words of one list with this part in them, shortest first."""
        if scope != SHARED_LIST:
            return self.private_words(scope, [part], limit=limit)
        return self._words(_fts_phrase(part), _SHORTEST, limit)

    def alike(self, word: str, *, scope: int, limit: int) -> list[str]:
        """Words of one list sharing a three-letter run with this one, shortest first."""
        trigrams = _trigrams(word)
        if scope != SHARED_LIST:
            return self.private_words(scope, trigrams, limit=limit)
        return self._words(" OR ".join(_fts_phrase(t) for t in trigrams), _SHORTEST, limit)

    @staticmethod
    def _words(expression: str, order: str, limit: int) -> list[str]:
        if not expression:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM dream_word_trigram WHERE dream_word_trigram MATCH %s "
                f"ORDER BY {order} LIMIT %s",
                [expression, limit],
            )
            return [row[0] for row in cursor.fetchall()]


# SQLite's order of words (by code point), not the database's locale.
_PG_SHORTEST = (Length("word"), Collate("word", "C"))


class PostgresIndex(_WordLists):
    """dream_search: the words and a stored weighted vector (GIN), ranked by ts_rank; the
    word list has a pg_trgm GIN index."""

    # ts_rank's weights are {D, C, B, A}: body, motifs, tags, title, scaled to at most 1.
    RANK_WEIGHTS = [WEIGHTS[f] / WEIGHTS["title"] for f in ("body", "motifs", "tags", "title")]

    EACH = "json_array_elements_text(s.words::json) AS w(value)"
    FIND = "strpos"

    def write(self, documents: list[Document], sources: list[tuple[int, str]]) -> None:
        """Index rows for new dreams, and their words (pk, JSON array) into the word lists."""
        SearchDocument.objects.bulk_create(
            SearchDocument(dream_id=pk, title=title, body=body, tags=tags, motifs=motifs)
            for pk, title, body, tags, motifs in documents
        )
        with connection.cursor() as cursor:
            self._write_words(cursor, sources)

    def forget(self, pks: list[int]) -> None:
        SearchDocument.objects.filter(dream_id__in=pks).delete()
        with connection.cursor() as cursor:
            self._forget_words(cursor, pks)

    def clear(self) -> None:
        SearchDocument.objects.all().delete()
        with connection.cursor() as cursor:
            # No row triggers on TRUNCATE: the lists go with the words they were counted from.
            cursor.execute("TRUNCATE dream_word_source, dream_search_word")

    def rows(self) -> dict[int, tuple[str, str, str, str]]:
        return {
            pk: tuple(fields)
            for pk, *fields in SearchDocument.objects.values_list(
                "dream_id", "title", "body", "tags", "motifs"
            )
        }

    def integrity(self) -> list[str]:
        return []  # the vector is a generated column: it cannot drift from the words

    @staticmethod
    def _query(text: str) -> SearchQuery:
        return SearchQuery(text, search_type="raw", config=SEARCH_CONFIG)

    def _matching(self, scoped, parsed: Query):
        documents = SearchDocument.objects.filter(dream_id__in=scoped.order_by().values("pk"))
        if parsed.groups:
            documents = documents.filter(document=self._query(parsed.match_tsquery()))
        if parsed.excluded:
            documents = documents.exclude(document=self._query(parsed.exclusion_tsquery()))
        return documents

    def page(self, scoped, parsed: Query, *, offset: int, limit: int) -> tuple[int, list[int]]:
        documents = self._matching(scoped, parsed)
        count = documents.count()
        if parsed.groups:
            wanted = self._query(parsed.match_tsquery())
            documents = documents.annotate(
                # Normalisation 1: divided by 1 + log(length), so long dreams do not win on size.
                rank=SearchRank(
                    F("document"), wanted, weights=self.RANK_WEIGHTS, normalization=Value(1)
                ),
            ).order_by("-rank", "-dream_id")
        else:
            documents = documents.order_by("-dream_id")
        return count, list(documents.values_list("dream_id", flat=True)[offset : offset + limit])

    def ids(self, scoped, parsed: Query) -> set[int]:
        return set(self._matching(scoped, parsed).values_list("dream_id", flat=True))

    def occurs(self, scoped, word: str) -> bool:
        return SearchDocument.objects.filter(
            dream_id__in=scoped.order_by().values("pk"),
            document=self._query(Term("word", (word,)).tsquery()),
        ).exists()

    def containing(self, part: str, *, scope: int, limit: int) -> list[str]:
        if scope != SHARED_LIST:
            return self.private_words(scope, [part], limit=limit)
        # pg_trgm's GIN index (of the shared list only) answers LIKE '%part%'.
        found = SearchWord.objects.filter(scope=SHARED_LIST, word__contains=part)
        return list(found.order_by(*_PG_SHORTEST).values_list("word", flat=True)[:limit])

    def alike(self, word: str, *, scope: int, limit: int) -> list[str]:
        trigrams = _trigrams(word)
        if not trigrams:
            return []
        if scope != SHARED_LIST:
            return self.private_words(scope, trigrams, limit=limit)
        shares_one = Q()
        for trigram in trigrams:
            shares_one |= Q(word__contains=trigram)
        found = SearchWord.objects.filter(shares_one, scope=SHARED_LIST)
        return list(found.order_by(*_PG_SHORTEST).values_list("word", flat=True)[:limit])


def for_vendor(vendor: str) -> SQLiteIndex | PostgresIndex:
    if vendor == "postgresql":
        return _POSTGRES
    if vendor == "sqlite":
        return _SQLITE
    raise NotImplementedError(f"Somnia's search runs on SQLite or PostgreSQL, not {vendor}.")


_SQLITE, _POSTGRES = SQLiteIndex(), PostgresIndex()
