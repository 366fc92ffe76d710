"""The search query language, parsed into a plain structure. Pure: no database.

    flying "red door" stair* cat OR dog -falling motif:feather tag:work lucid:yes
    nightmare:no from:2026-01-01 to:2026-03-31 shared:yes

Words must all match; "quoted phrases" match in order; word* matches a prefix; OR offers
alternatives; -word excludes. Nothing a user types is an error: what cannot be read as the
language is read as plain words, and the notes say so.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

MAX_QUERY = 500
FILTERS = ("motif", "tag", "lucid", "nightmare", "recurring", "from", "to", "shared")
YES = {"yes", "y", "true", "1", "on"}
NO = {"no", "n", "false", "0", "off"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TOKEN = re.compile(
    r'(?P<neg>-)?(?:(?P<key>[a-zA-Z]+):(?:"(?P<qval>[^"]*)"|(?P<val>\S*))'
    r'|"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))'
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    kind: str  # "word", "phrase" or "prefix"
    words: tuple[str, ...]

    def describe(self) -> str:
        text = " ".join(self.words)
        if self.kind == "prefix":
            return f"{text}…"
        return f"“{text}”"

    def fts(self) -> str:
        quoted = '"' + " ".join(self.words).replace('"', '""') + '"'
        return quoted + "*" if self.kind == "prefix" else quoted

    def tsquery(self) -> str:
        """The same term for PostgreSQL's to_tsquery(): quoted lexemes in a row (<->)."""
        lexemes = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in self.words]
        if self.kind == "prefix":
            lexemes[-1] += ":*"
        joined = " <-> ".join(lexemes)
        return f"({joined})" if len(lexemes) > 1 else joined


@dataclass
class Query:
    groups: list[list[Term]] = field(default_factory=list)  # all groups; any term of a group
    excluded: list[Term] = field(default_factory=list)
    filters: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def has_terms(self) -> bool:
        return bool(self.groups or self.excluded)

    def match_expression(self) -> str:
        """The FTS5 MATCH string for the wanted terms (empty when only exclusions)."""
        parts = []
        for group in self.groups:
            alternatives = [term.fts() for term in group]
            parts.append(
                alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
            )
        return " AND ".join(parts)

    def exclusion_expression(self) -> str:
        return " OR ".join(term.fts() for term in self.excluded)

    def match_tsquery(self) -> str:
        """match_expression() for PostgreSQL's to_tsquery()."""
        return " & ".join(
            "(" + " | ".join(term.tsquery() for term in group) + ")" for group in self.groups
        )

    def exclusion_tsquery(self) -> str:
        return " | ".join(term.tsquery() for term in self.excluded)

    def describe(self) -> str:
        """How the query was read, in words."""
        parts = []
        singles = [g[0].describe() for g in self.groups if len(g) == 1]
        if singles:
            parts.append("all of " + ", ".join(singles))
        for group in (g for g in self.groups if len(g) > 1):
            parts.append("one of " + " or ".join(term.describe() for term in group))
        if self.excluded:
            parts.append("none of " + ", ".join(term.describe() for term in self.excluded))
        for key, value in self.filters.items():
            if isinstance(value, datetime.date):
                value = f"{value:%-d %b %Y}"
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            if key.startswith("-"):
                parts.append(f"without {key[1:]} {value}")
            else:
                parts.append(f"{key}: {value}")
        return "; ".join(parts)

    def words(self) -> list[Term]:
        """The plain words, which a typo fallback may correct."""
        return [term for group in self.groups for term in group if term.kind == "word"]


def without_control(text: str) -> str:
    """Text with control characters (a pasted NUL, an escape) made spaces."""
    return _CONTROL.sub(" ", text or "")


def _date(value: str, *, end: bool) -> datetime.date | None:
    for pattern, precision in (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            parsed = datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if not end or precision == "day":
            return parsed
        if precision == "month":
            try:
                following = parsed.replace(day=28) + datetime.timedelta(days=4)
            except OverflowError:
                return datetime.date.max
            return following - datetime.timedelta(days=following.day)
        return parsed.replace(month=12, day=31)
    return None


def _term(text: str, *, kind: str) -> Term | None:
    words = tuple(w.lower() for w in _WORD.findall(text))
    if not words:
        return None
    if kind == "prefix" and len(words) > 1:
        # "stair-wel*": the last part is the prefix of a phrase; keep it simple and exact.
        kind = "phrase"
    if kind == "word" and len(words) > 1:
        kind = "phrase"  # "don't" is the phrase "don t" to the index
    return Term(kind, words)


def parse(text: str) -> Query:
    query = Query()
    text = without_control(text)
    if len(text) > MAX_QUERY:
        text = text[:MAX_QUERY]
        query.notes.append(f"Only the first {MAX_QUERY} characters were read.")
    if text.count('"') % 2:
        last = text.rfind('"')
        text = text[:last] + " " + text[last + 1 :]
        query.notes.append("An unmatched quote was read as a space.")
    pending_or = False
    for match in _TOKEN.finditer(text):
        negative = bool(match["neg"])
        if match["key"] is not None and match["key"].lower() in FILTERS:
            value = match["qval"] or match["val"] or ""
            _filter(query, match["key"].lower(), value, negative=negative)
            continue
        if match["key"] is not None:
            raw, kind = match.group(0).lstrip("-"), "word"
        elif match["phrase"] is not None:
            raw, kind = match["phrase"], "phrase"
        else:
            raw, kind = match["word"], "word"
            if raw == "OR" and not negative:
                if query.groups and not pending_or:
                    pending_or = True
                else:
                    query.notes.append("An OR with nothing before it was left out.")
                continue
            if raw.endswith("*"):
                raw, kind = raw.rstrip("*"), "prefix"
                if len(_WORD.findall(raw)) == 1 and len(raw) < 2:
                    query.notes.append("A prefix needs at least two letters before the *.")
                    continue
        term = _term(raw, kind=kind)
        if term is None:
            if raw.strip("-*"):
                query.notes.append(f"“{raw[:40]}” has no letters or digits, so it was left out.")
            continue
        if negative:
            query.excluded.append(term)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
    if pending_or:
        query.notes.append("An OR with nothing after it was left out.")
    return query


def _filter(query: Query, key: str, value: str, *, negative: bool = False) -> None:
    value = value.strip()
    if not value:
        query.notes.append(f"“{key}:” needs a value, so it was left out.")
        return
    if negative and key in ("motif", "tag"):
        query.filters[f"-{key}"] = value[:80]  # -motif:mirror: dreams without it
        return
    if negative and key in ("from", "to"):
        query.notes.append(f"“-{key}:” cannot be negated; it was left out.")
        return
    if key in ("lucid", "nightmare", "recurring", "shared"):
        if value.lower() in YES | NO:
            # -lucid:yes means lucid:no.
            query.filters[key] = (value.lower() in YES) != negative
        else:
            query.notes.append(f"“{key}:{value[:40]}” should be yes or no; it was left out.")
    elif key in ("from", "to"):
        day = _date(value, end=key == "to")
        if day is None:
            query.notes.append(
                f"“{key}:{value[:40]}” is not a date (use YYYY-MM-DD); it was left out."
            )
        else:
            query.filters[key] = day
    else:
        query.filters[key] = value[:80]
