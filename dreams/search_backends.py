"""Where the search index lives on each database. dreams/search.py holds what they share
(the query language, the scope, the fallbacks for typos); these hold only the SQL.

Both index the same four fields of a dream with the same weights, and read words alike:
porter stems, accents folded, no stop words.
"""

from __future__ import annotations

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
)
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Collate, Left, Length

from dreams.models import SEARCH_CONFIG, SearchDocument, SearchWord
from dreams.query import Query, Term

# Weights of the title, body, tags and motifs: a word in the title says more than one in the body.
WEIGHTS = {"title": 10.0, "body": 1.0, "tags": 4.0, "motifs": 2.0}
SNIPPET_WORDS = 24
# Snippet markers that cannot occur in text: they become <mark> after escaping.
OPEN, CLOSE = "\x02", "\x03"

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


class SQLiteIndex:
    """FTS5 (dream_fts) ranked by bm25, and a trigram FTS5 table over the word list."""

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

    def write(self, documents: list[Document], words: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO dream_fts (rowid, title, body, tags, motifs) "
                "VALUES (%s, %s, %s, %s, %s)",
                documents,
            )
            cursor.executemany(
                "INSERT OR IGNORE INTO dream_search_word (word) VALUES (%s)", [(w,) for w in words]
            )

    def forget(self, pks: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM dream_fts WHERE rowid = %s", [(pk,) for pk in pks])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM dream_fts")

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

    def page(self, scoped, parsed: Query, *, offset: int, limit: int):
        """(how many match, [(pk, snippet)] of one page, best first)."""
        where, params = self._matching(scoped, parsed)
        weights = ", ".join(str(WEIGHTS[f]) for f in ("title", "body", "tags", "motifs"))
        # With only exclusions there is nothing to rank by: newest first.
        rank = f"bm25(dream_fts, {weights})" if parsed.groups else "-rowid"
        with connection.cursor() as cursor:
            # One pass ranks every match and counts them; snippets only for the page.
            cursor.execute(
                f"SELECT id, count(*) OVER () FROM (SELECT rowid AS id, {rank} AS rank "
                f"FROM dream_fts WHERE {where}) ORDER BY rank, id DESC LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            ranked = cursor.fetchall()
            if not ranked:
                cursor.execute(f"SELECT count(*) FROM dream_fts WHERE {where}", params)
                return cursor.fetchone()[0], []
            ids = [row[0] for row in ranked]
            marks = ", ".join(["%s"] * len(ids))
            match = "dream_fts MATCH %s AND " if parsed.groups else ""
            cursor.execute(
                f"SELECT rowid, snippet(dream_fts, 1, %s, %s, '…', %s) FROM dream_fts "
                f"WHERE {match}rowid IN ({marks})",
                [OPEN, CLOSE, SNIPPET_WORDS,
                 *([parsed.match_expression()] if parsed.groups else []), *ids],
            )  # fmt: skip
            snippets = dict(cursor.fetchall())
        return ranked[0][1], [(pk, snippets.get(pk, "")) for pk in ids]

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

    def containing(self, part: str, *, limit: int) -> list[str]:
        """Words of any journal with this part in them, shortest first."""
        return self._words(_fts_phrase(part), _SHORTEST, limit)

    def alike(self, word: str, *, limit: int) -> list[str]:
        """Words of any journal sharing a three-letter run with this one, shortest first."""
        trigrams = _trigrams(word)
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


class PostgresIndex:
    """dream_search: the words and a stored weighted vector (GIN), ranked by ts_rank; the
    word list has a pg_trgm GIN index."""

    # ts_rank's weights are {D, C, B, A}: body, motifs, tags, title, scaled to at most 1.
    RANK_WEIGHTS = [WEIGHTS[f] / WEIGHTS["title"] for f in ("body", "motifs", "tags", "title")]

    def write(self, documents: list[Document], words: list[str]) -> None:
        SearchDocument.objects.bulk_create(
            SearchDocument(dream_id=pk, title=title, body=body, tags=tags, motifs=motifs)
            for pk, title, body, tags, motifs in documents
        )
        SearchWord.objects.bulk_create(
            (SearchWord(word=word) for word in words), ignore_conflicts=True, batch_size=2000
        )

    def forget(self, pks: list[int]) -> None:
        SearchDocument.objects.filter(dream_id__in=pks).delete()

    def clear(self) -> None:
        SearchDocument.objects.all().delete()

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

    def page(self, scoped, parsed: Query, *, offset: int, limit: int):
        documents = self._matching(scoped, parsed)
        count = documents.count()
        if parsed.groups:
            wanted = self._query(parsed.match_tsquery())
            documents = documents.annotate(
                # Normalisation 1: divided by 1 + log(length), so long dreams do not win on size.
                rank=SearchRank(
                    F("document"), wanted, weights=self.RANK_WEIGHTS, normalization=Value(1)
                ),
                snippet=SearchHeadline(
                    "body",
                    wanted,
                    config=SEARCH_CONFIG,
                    start_sel=OPEN,
                    stop_sel=CLOSE,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                    max_fragments=1,
                ),
            ).order_by("-rank", "-dream_id")
        else:
            documents = documents.annotate(snippet=Left("body", 200)).order_by("-dream_id")
        return count, list(documents.values_list("dream_id", "snippet")[offset : offset + limit])

    def ids(self, scoped, parsed: Query) -> set[int]:
        return set(self._matching(scoped, parsed).values_list("dream_id", flat=True))

    def occurs(self, scoped, word: str) -> bool:
        return SearchDocument.objects.filter(
            dream_id__in=scoped.order_by().values("pk"),
            document=self._query(Term("word", (word,)).tsquery()),
        ).exists()

    def containing(self, part: str, *, limit: int) -> list[str]:
        # pg_trgm's GIN index answers LIKE '%part%'.
        found = SearchWord.objects.filter(word__contains=part).order_by(*_PG_SHORTEST)
        return list(found.values_list("word", flat=True)[:limit])

    def alike(self, word: str, *, limit: int) -> list[str]:
        trigrams = _trigrams(word)
        if not trigrams:
            return []
        shares_one = Q()
        for trigram in trigrams:
            shares_one |= Q(word__contains=trigram)
        found = SearchWord.objects.filter(shares_one).order_by(*_PG_SHORTEST)
        return list(found.values_list("word", flat=True)[:limit])


def for_vendor(vendor: str) -> SQLiteIndex | PostgresIndex:
    if vendor == "postgresql":
        return _POSTGRES
    if vendor == "sqlite":
        return _SQLITE
    raise NotImplementedError(f"Somnia's search runs on SQLite or PostgreSQL, not {vendor}.")


_SQLITE, _POSTGRES = SQLiteIndex(), PostgresIndex()
