"""Differences and three-way merges of a dream's versions: pure functions over snapshots.

A snapshot is a dict {"title": str, "body": str, "fields": {name: value}, "tags": [name, ...],
"motif_choices": {slug: "keep" | "drop" | "never"}} (versions.snapshot() makes one from a
dream). merge(base, mine, saved) joins an edit made from `base` (mine) with the newest saved
version (saved): what one side changed is taken from that side; only what both changed
differently is a conflict, settled by Merge.resolve() with one choice per conflict.

The narrative is merged by sentences with merge3 (Breezy's three-way merge) and marked for
the eye by words with difflib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from merge3 import Merge3

from dreams.models import normalise_tag
from dreams.titles import derive_title

MINE, SAVED, BOTH = "mine", "saved", "both"

# Merged one by one; the names in FOLLOWERS go with the side their leader is taken from.
FIELDS = [
    "title", "dreamt_on", "lucid", "nightmare", "recurring", "vividness", "mood", "visibility",
    "show_tags",
]  # fmt: skip
FOLLOWERS = {"dreamt_on": ("dreamt_on_precision", "dreamt_on_text"), "title": ("title_derived",)}
FIELD_LABELS = {
    "title": "Title", "dreamt_on": "Dreamt on", "lucid": "Lucid", "nightmare": "Nightmare",
    "recurring": "Recurring", "vividness": "Vividness", "mood": "Mood on waking",
    "visibility": "Who may read it", "show_tags": "Show my tags",
}  # fmt: skip
# Two sides set one motif differently: the stronger word wins. Keeping a motif is on purpose;
# a removal stays removed against a side that only left it as found.
MOTIF_STRENGTH = {"keep": 3, "never": 2, "drop": 1, "": 0}
_COMPARED = [*FIELDS[1:], *(f for names in FOLLOWERS.values() for f in names)]

# A sentence with the spaces after it, or a run of line breaks: the units a merge moves.
_SENTENCE = re.compile(r"[^\n.!?…]*(?:[.!?…]+[\"'”’)\]*_]*[ \t]*|\n+[ \t]*|$)")
_WORD = re.compile(r"\s+|\w+|[^\w\s]")


def sentences(text: str) -> list[str]:
    """The text cut into sentences (each with its trailing spaces) and line breaks;
    "".join() of the result is the text."""
    return [m.group() for m in _SENTENCE.finditer(text) if m.group()]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text), ...] with op "equal", "delete" or "insert", word by word: what turns
    `old` into `new`. Joining the non-"insert" texts gives old, the non-"delete" ones new.
    Sentences are matched first and words only inside changed stretches, so a long dream
    costs little; a changed stretch over WORDS_COMPARED words a side is shown whole."""
    a, b = sentences(old), sentences(new)
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("equal", "".join(a[i1:i2])))
        else:
            pieces.extend(_words_changed("".join(a[i1:i2]), "".join(b[j1:j2])))
    return _tidy(pieces)


WORDS_COMPARED = 2_000


def _words_changed(old: str, new: str) -> list[tuple[str, str]]:
    a, b = _WORD.findall(old), _WORD.findall(new)
    if len(a) > WORDS_COMPARED or len(b) > WORDS_COMPARED:
        return [("delete", old), ("insert", new)]
    codes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    # A lone space between two changes reads as part of one change ("my knees" -> "the ceiling").
    runs: list[list] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        between = 0 < index < len(codes) - 1 and not "".join(a[i1:i2]).strip()
        changed = tag != "equal" or between
        if runs and runs[-1][0] and changed:
            runs[-1][2], runs[-1][4] = i2, j2
        else:
            runs.append([changed, i1, i2, j1, j2])
    pieces: list[tuple[str, str]] = []
    for changed, i1, i2, j1, j2 in runs:
        if not changed:
            pieces.append(("equal", "".join(a[i1:i2])))
            continue
        pieces.append(("delete", "".join(a[i1:i2])))
        pieces.append(("insert", "".join(b[j1:j2])))
    return pieces


def _tidy(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Empty pieces dropped, neighbours of one kind joined."""
    out: list[tuple[str, str]] = []
    for op, text in pieces:
        if not text:
            continue
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    return out


@dataclass(frozen=True)
class Passage:
    """A stretch of the merged narrative. kind: "same" (nobody changed it), "mine" or
    "saved" (one side did), "both" (both made the same change), "conflict" (both changed
    it differently: one choice settles it)."""

    kind: str
    base: str
    mine: str
    saved: str

    @property
    def text(self) -> str:
        """The merged words (for a conflict: none until chosen)."""
        return {"same": self.base, MINE: self.mine, SAVED: self.saved, BOTH: self.mine}.get(
            self.kind, ""
        )

    def marked(self) -> list[tuple[str, str]]:
        """Word differences from the base to the merged words, for display."""
        return word_diff(self.base, self.text) if self.kind != "same" else [("equal", self.base)]


@dataclass(frozen=True)
class FieldConflict:
    name: str
    base: object
    mine: object
    saved: object

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.name, self.name)


@dataclass
class Merge:
    """What merge() found. `fields` holds the merged value of every field not in conflict and
    `taken` which side each changed field came from; `passages` the narrative."""

    base: dict | None
    mine: dict
    saved: dict
    fields: dict = field(default_factory=dict)
    taken: dict = field(default_factory=dict)
    field_conflicts: list[FieldConflict] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    motif_choices: dict = field(default_factory=dict)

    @property
    def conflicts(self) -> int:
        return len(self.field_conflicts) + sum(p.kind == "conflict" for p in self.passages)

    @property
    def changes_saved(self) -> bool:
        """Whether the result differs from the saved version (else there is nothing to save)."""
        return self.conflicts > 0 or not same_snapshot(self.resolve({}), self.saved)

    def resolve(self, choices: dict[str, str]) -> dict:
        """The merged snapshot, given {"field-<name>": "mine" | "saved",
        "passage-<index>": "mine" | "saved" | "both"} for every conflict.
        Raises MissingChoices naming the conflicts without a valid choice."""
        missing = []
        fields = dict(self.fields)
        for conflict in self.field_conflicts:
            side = choices.get(f"field-{conflict.name}")
            if side not in (MINE, SAVED):
                missing.append(f"field-{conflict.name}")
                continue
            _take(fields, self.mine if side == MINE else self.saved, conflict.name)
        body = []
        for index, passage in enumerate(self.passages):
            if passage.kind != "conflict":
                body.append(passage.text)
                continue
            side = choices.get(f"passage-{index}")
            if side not in (MINE, SAVED, BOTH):
                missing.append(f"passage-{index}")
                continue
            body.append(
                {MINE: passage.mine, SAVED: passage.saved}.get(side)
                or _both(passage.mine, passage.saved)
            )
        if missing:
            raise MissingChoices(missing)
        title = fields.pop("title")
        text = "".join(body)
        if fields.get("title_derived") and text.strip():
            title = derive_title(text)
        return {
            "title": title,
            "body": text,
            "fields": fields,
            "tags": list(self.tags),
            "motif_choices": dict(self.motif_choices),
        }


class MissingChoices(ValueError):
    """Some conflicts of a merge were given no choice; `names` are their form field names."""

    def __init__(self, names: list[str]):
        super().__init__(f"no choice for {', '.join(names)}")
        self.names = names


def merge(base: dict | None, mine: dict, saved: dict) -> Merge:
    """Merge two snapshots made from `base` (None when that version is no longer known:
    then whatever the two sides hold differently is a conflict)."""
    result = Merge(base=base, mine=mine, saved=saved)
    for name in FIELDS:
        values = [_value(s, name) if s is not None else None for s in (base, mine, saved)]
        keys = [_field_key(s, name) if s is not None else None for s in (base, mine, saved)]
        side = _side(*keys, known_base=base is not None)
        if side is None:
            result.field_conflicts.append(FieldConflict(name, *values))
            continue
        _take(result.fields, mine if side in (MINE, BOTH) else saved, name)
        if side != "same":
            result.taken[name] = side
    result.passages = merge_text(base["body"] if base else None, mine["body"], saved["body"])
    result.tags = merge_tags(base["tags"] if base else None, mine["tags"], saved["tags"])
    result.motif_choices = merge_motif_choices(
        base["motif_choices"] if base else None, mine["motif_choices"], saved["motif_choices"]
    )
    return result


def merge_text(base: str | None, mine: str, saved: str) -> list[Passage]:
    """The narrative as passages; changes to different sentences never conflict."""
    b, m, s = sentences(base or ""), sentences(mine), sentences(saved)
    if base is None and mine != saved:
        return [Passage("conflict", "", mine, saved)]
    passages: list[Passage] = []
    z = a = c = 0
    for zmatch, zend, amatch, aend, bmatch, bend in Merge3(b, m, s).find_sync_regions():
        passages.extend(_region(b[z:zmatch], m[a:amatch], s[c:bmatch]))
        if zend > zmatch:
            passages.append(Passage("same", *["".join(b[zmatch:zend])] * 3))
        z, a, c = zend, aend, bend
    return _joined(passages)


def merge_tags(base: list[str] | None, mine: list[str], saved: list[str]) -> list[str]:
    """Tags merged as sets: one side's additions and removals both hold. Without a base,
    every tag of either side is kept."""
    names: dict[str, str] = {}
    for name in [*saved, *mine]:
        names.setdefault(normalise_tag(name), name)
    had = {normalise_tag(t) for t in base} if base is not None else None
    ours, theirs = {normalise_tag(t) for t in mine}, {normalise_tag(t) for t in saved}
    kept = []
    for key, name in names.items():
        if had is None or (key in ours) == (key in theirs):
            keep = key in ours or key in theirs
        else:
            keep = key in theirs if (key in ours) == (key in had) else key in ours
        if keep and key:
            kept.append(name)
    return kept


def merge_motif_choices(base: dict | None, mine: dict, saved: dict) -> dict:
    """{slug: choice} merged: a choice made on one side holds; two sides that chose
    differently give the stronger (keep over never over drop over as found)."""
    base = base or {}
    merged = {}
    for slug in {*mine, *saved, *base}:
        was, ours, theirs = base.get(slug, ""), mine.get(slug, ""), saved.get(slug, "")
        if ours == theirs or theirs == was:
            choice = ours
        elif ours == was:
            choice = theirs
        else:
            choice = max(ours, theirs, key=lambda c: MOTIF_STRENGTH.get(c, 0))
        if choice:
            merged[slug] = choice
    return merged


def _value(snapshot: dict, name: str):
    return snapshot["title"] if name == "title" else snapshot["fields"].get(name)


def _field_key(snapshot: dict, name: str):
    """What is compared: a derived title is the same whatever narrative it was drawn from."""
    if name == "title" and snapshot["fields"].get("title_derived"):
        return ("derived",)
    return _value(snapshot, name)


def _side(base, mine, saved, *, known_base: bool) -> str | None:
    if mine == saved:
        return "same" if mine == base else BOTH
    if not known_base:
        return None
    if mine == base:
        return SAVED
    if saved == base:
        return MINE
    return None


def _take(fields: dict, snapshot: dict, name: str) -> None:
    fields[name] = _value(snapshot, name)
    for follower in FOLLOWERS.get(name, ()):
        fields[follower] = snapshot["fields"].get(follower)


def _region(base: list[str], mine: list[str], saved: list[str]) -> list[Passage]:
    """A stretch between sentences both sides kept: one side's change, the same change, or
    changes to different sentences of it (joined), or a conflict."""
    if not (base or mine or saved):
        return []
    z, a, s = "".join(base), "".join(mine), "".join(saved)
    if a == s:
        return [Passage(BOTH if a != z else "same", z, a, s)]
    if a == z:
        return [Passage(SAVED, z, a, s)]
    if s == z:
        return [Passage(MINE, z, a, s)]
    return _apart(base, mine, saved) or [Passage("conflict", z, a, s)]


def _apart(base: list[str], mine: list[str], saved: list[str]) -> list[Passage] | None:
    """The region as passages when the two sides changed different sentences of it (merge3
    asks about changes that merely touch); None when they overlap."""
    ours, theirs = _changes(base, mine), _changes(base, saved)
    for i1, i2, _ in ours:
        for k1, k2, _ in theirs:
            if max(i1, k1) < min(i2, k2) or (i1 == i2 and k1 <= i1 <= k2):
                return None
            if k1 == k2 and i1 <= k1 <= i2:
                return None
    passages, at = [], 0
    changes = sorted(
        [(i1, i2, new, MINE) for i1, i2, new in ours]
        + [(i1, i2, new, SAVED) for i1, i2, new in theirs]
    )
    for i1, i2, new, side in changes:
        if at < i1:
            passages.append(Passage("same", *["".join(base[at:i1])] * 3))
        old = "".join(base[i1:i2])
        changed = "".join(new)
        passages.append(Passage(side, old, *((changed, old) if side == MINE else (old, changed))))
        at = i2
    if at < len(base):
        passages.append(Passage("same", *["".join(base[at:])] * 3))
    return passages


def _changes(old: list[str], new: list[str]) -> list[tuple[int, int, list[str]]]:
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _joined(passages: list[Passage]) -> list[Passage]:
    """Neighbouring unchanged passages as one."""
    out: list[Passage] = []
    for passage in passages:
        if out and passage.kind == "same" and out[-1].kind == "same":
            text = out[-1].base + passage.base
            out[-1] = Passage("same", text, text, text)
        else:
            out.append(passage)
    return out


def _both(mine: str, saved: str) -> str:
    """Both sides' words, one after the other, with a space or break between them."""
    if not mine or not saved or mine[-1].isspace() or saved[0].isspace():
        return mine + saved
    return mine + " " + saved


def same_snapshot(one: dict, other: dict) -> bool:
    """Whether two snapshots hold the same dream (tags compared as a set)."""
    return _comparable(one) == _comparable(other)


def _comparable(snapshot: dict) -> tuple:
    return (
        snapshot["title"],
        snapshot["body"],
        tuple(sorted((k, str(snapshot["fields"].get(k))) for k in _COMPARED)),
        tuple(sorted(normalise_tag(t) for t in snapshot["tags"])),
        tuple(sorted(snapshot["motif_choices"].items())),
    )
