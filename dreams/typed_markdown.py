"""Markdown as journal keepers type it, made into the CommonMark that cmark reads.

One pass over the lines, linear in the length of the text:
- CommonMark nests a list item only under its parent's text column (three spaces under "1. "),
  so a numbered list indented by two spaces comes out flat and renumbered. Each list item
  indented by two or more spaces moves under its parent's text, with the lines that belong
  to it; lists nest at most MAX_LIST_DEPTH deep and quotes MAX_QUOTE_DEPTH (deeper items
  become siblings at that depth, surplus ">" marks go).
- Anything that would be read as an HTML tag ("<b>", "<!--", "</div>") outside code gets a
  backslash, so it is shown as typed instead of being interpreted or dropped.
Only leading spaces, tabs and ">" marks change, and backslashes are added: every word stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Deeper than this is no use on a phone's width: deeper items become siblings at this depth.
MAX_LIST_DEPTH = 8
MAX_QUOTE_DEPTH = 4

_QUOTES = re.compile(r"(?: {0,3}>[ \t]?)+")
_LEADING = re.compile(r"[ \t]*")
_ITEM = re.compile(r"(?P<indent> *)(?P<marker>[-+*]|\d{1,9}[.)])(?P<gap>[ \t]+|$)")
_FENCE = re.compile(r" *(?P<fence>`{3,}|~{3,})")
# Lines that may open a list, a quote or a fence.
_MAY_CHANGE = re.compile(r"[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)| {0,3}>|[ \t]*(?:```|~~~)")
_ANYTHING_TO_DO = re.compile(r"^[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)|^ {0,3}>|<|`", re.M)
_MAY_START_SOMETHING = frozenset(" \t>-+*0123456789`~")
# A tag, a comment, a declaration or a processing instruction begins so; backticks for code.
_TAG_OR_TICKS = re.compile(r"<(?=[A-Za-z/!?])|`+")
# Autolinks are not HTML: <https://example.org>, <dreamer@example.org>.
_AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>"
)
# A link destination written in angle brackets: [a](<my file.md>), [a]: <my file.md>.
_POINTY = re.compile(r"(?:\]\(|\]:[ \t]{0,4})\Z")


def as_commonmark(source: str) -> str:
    """The same text with list items re-indented, deep nesting capped and tags escaped (see
    the module). Lines inside fenced or indented code move only with their list item.
    Line ends come back as "\n" (a browser posts a textarea's lines with "\r\n")."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    if not _ANYTHING_TO_DO.search(source):
        return source
    lines, out = _Lines(), []
    for line in source.split("\n"):
        if not line:
            lines.after_blank, lines.ticks = True, ""
            out.append(line)
        elif (
            line[0] not in _MAY_START_SOMETHING
            and not lines.fence
            and "<" not in line
            and "`" not in line
        ):
            # Text at the margin, by far the most lines: it only ends a list after a blank.
            if lines.after_blank:
                lines.items.clear()
            lines.after_blank = lines.indented_code = False
            out.append(line)
        else:
            out.append(lines.place(line))
    return "\n".join(out)


@dataclass(slots=True)
class _Item:
    """An open list item: where it was typed and where it goes (columns within its quote)."""

    typed_indent: int  # before the marker, as typed
    typed_text: int  # where its text starts, as typed
    indent: int  # before the marker, after moving
    text: int  # where its text starts, after moving


@dataclass(slots=True)
class _Lines:
    """The state of the one pass: open list items, open code, the quote level."""

    items: list[_Item] = field(default_factory=list)
    fence: str = ""  # the run of backticks or tildes that opened the code block we are in
    fence_shift: int = 0  # the code moves with the list item it was opened in
    ticks: str = ""  # the backticks that opened a code span still open (it may span lines)
    quote_depth: int = 0
    after_blank: bool = True
    indented_code: bool = False
    shift: int = 0  # how far the last line moved

    def place(self, line: str) -> str:
        """One line, moved and escaped."""
        if not (self.items or self.fence or _MAY_CHANGE.match(line) or "<" in line):
            return self._plain(line)
        prefix, rest = _quote_prefix(line)
        if self.fence:
            if _closes(rest, self.fence):
                self.fence = ""
            return prefix + _shifted(rest, self.fence_shift)
        if not rest.strip():
            self.after_blank, self.ticks = True, ""
            return prefix + rest
        depth = prefix.count(">")
        if depth != self.quote_depth:
            self.items, self.quote_depth = [], depth  # a list does not run across quote levels
        leading = _LEADING.match(rest)[0]
        rest = leading.expandtabs(4) + rest[len(leading) :]
        item = _ITEM.match(rest)
        rest = self._item(rest, item) if item else self._text(rest)
        self.after_blank = False
        if self.indented_code:
            return prefix + rest
        fence = _FENCE.match(rest, item.end() if item else 0)
        if fence:
            self.fence, self.fence_shift = fence["fence"], self.shift
            return prefix + rest
        return prefix + self._escaped(rest)

    def _plain(self, line: str) -> str:
        """A line outside lists with nothing to move; it may still open or close code."""
        if not line.strip():
            self.after_blank, self.ticks = True, ""
            return line
        indent = len(line) - len(line.lstrip(" \t"))
        self.indented_code = indent >= 4 and (self.after_blank or self.indented_code)
        self.after_blank = False
        return line if self.indented_code or "`" not in line else self._escaped(line)

    def _item(self, rest: str, item: re.Match) -> str:
        """Put a list item under its parent's text, or beside the deepest one allowed."""
        typed = len(item["indent"])
        while self.items and typed < self.items[-1].typed_indent + 2:
            self.items.pop()
        if len(self.items) >= MAX_LIST_DEPTH:
            indent = self.items.pop().indent
        elif self.items:
            indent = self.items[-1].text
        else:
            indent = typed
        gap = len(item["gap"].expandtabs(4))
        width = len(item["marker"]) + (gap if 0 < gap <= 4 else 1)
        self.items.append(_Item(typed, typed + width, indent, indent + width))
        self.shift, self.indented_code = indent - typed, False
        return " " * indent + rest[typed:]

    def _text(self, rest: str) -> str:
        """A line indented two or more spaces under a list item belongs to it: it moves to the
        item's text column, or by as much as the item moved if it was indented further."""
        indent = len(rest) - len(rest.lstrip(" "))
        holder = next((i for i in reversed(self.items) if indent >= i.typed_indent + 2), None)
        if holder is None:
            if self.after_blank and indent < 4:
                self.items.clear()  # a paragraph after a blank line: the list has ended
            self.shift = 0
            column = 0
        else:
            self.shift = holder.text + max(0, indent - holder.typed_text) - indent
            column = holder.text
        starts_code = indent + self.shift - column >= 4 and not self.ticks
        self.indented_code = starts_code and (self.after_blank or self.indented_code)
        return _shifted(rest, self.shift)

    def _escaped(self, text: str) -> str:
        """Backslashes before what would be read as HTML, outside code spans."""
        out, start = [], 0
        for token in _TAG_OR_TICKS.finditer(text):
            at = token.start()
            if self.ticks:  # inside a code span nothing is escaped, not even a backtick
                if token[0] == self.ticks:
                    self.ticks = ""
            elif _escaped_already(text, at):
                continue
            elif token[0] != "<":
                self.ticks = token[0]
            elif not _AUTOLINK.match(text, at) and not _POINTY.search(text[max(0, at - 8) : at]):
                out += [text[start:at], "\\"]
                start = at
        return "".join(out) + text[start:] if out else text


def _escaped_already(text: str, at: int) -> bool:
    """Whether an odd run of backslashes stands before text[at] (each run is read once)."""
    before = at
    while before and text[before - 1] == "\\":
        before -= 1
    return (at - before) % 2 == 1


def _quote_prefix(line: str) -> tuple[str, str]:
    """(the line's ">" marks, capped at MAX_QUOTE_DEPTH, with the space after them; the rest)."""
    match = _QUOTES.match(line)
    if not match:
        return "", line
    marks, rest = match[0], line[match.end() :]
    if marks.count(">") > MAX_QUOTE_DEPTH:
        cut = -1
        for _ in range(MAX_QUOTE_DEPTH):
            cut = marks.index(">", cut + 1)
        marks = marks[: cut + 1] + " "
    return marks, rest


def _shifted(rest: str, shift: int) -> str:
    if not shift:
        return rest
    indent = len(rest) - len(rest.lstrip(" "))
    return " " * max(0, indent + shift) + rest[indent:]


def _closes(rest: str, fence: str) -> bool:
    match = _FENCE.match(rest)
    return bool(
        match
        and match["fence"][0] == fence[0]
        and len(match["fence"]) >= len(fence)
        and not rest[match.end() :].strip()
    )
