"""Property-based tests: no input to the query parser, the importers or the Markdown renderer
ends in an error, and nothing runnable survives rendering."""

import contextlib
import io
import re
from html.parser import HTMLParser

from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dreams import markup, query, search
from dreams.importing.files import read_file
from dreams.importing.plan import BadImport

ANY_TEXT = st.text(max_size=300)
QUERYISH = st.lists(
    st.one_of(
        st.sampled_from(['"', "-", "*", "OR", "AND", "NOT", "(", ")", ":", "motif:", "tag:",
                         "lucid:", "from:", "to:", "shared:", "NEAR", "^", "'", ";", "--"]),
        st.text(min_size=1, max_size=8),
    ),
    max_size=12,
).map(" ".join)  # fmt: skip


@given(st.one_of(ANY_TEXT, QUERYISH))
def test_the_parser_reads_anything(text):
    parsed = query.parse(text)
    assert isinstance(parsed.describe(), str)
    assert len(parsed.match_expression()) < 20_000


# No deadline: this is about errors, and timings on a shared machine are for make bench.
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(ANY_TEXT, QUERYISH))
def test_any_query_runs_against_the_index(db, text):
    from django.contrib.auth.models import AnonymousUser

    results = search.search(user=AnonymousUser(), text=text)
    assert results.count >= 0
    if connection.vendor == "sqlite":
        expression = query.parse(text).match_expression()
        if expression:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM dream_fts WHERE dream_fts MATCH %s", [expression]
                )
    else:
        expression = query.parse(text).match_tsquery()
        if expression:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM dream_search WHERE document @@ to_tsquery('somnia', %s)",
                    [expression],
                )


TAGS = ["script", "img", "svg", "iframe", "a", "b", "math", "style", "object", "embed"]
ATTRS = ["onerror", "onload", "onclick", "href", "src", "style", "formaction", "xlink:href"]


@st.composite
def hostile_markup(draw):
    parts = draw(
        st.lists(
            st.one_of(
                st.builds(lambda t, a, v: f"<{t} {a}={v!r}>", st.sampled_from(TAGS),
                          st.sampled_from(ATTRS),
                          st.sampled_from(["javascript:alert(1)", "alert(1)", "data:text/html,x",
                                           "JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)"])),
                st.builds(lambda u: f"[x]({u})", st.sampled_from(
                    ["javascript:alert(1)", "data:text/html;base64,PHN2Zz4=", " javascript:x",
                     "java\tscript:x", "vbscript:x"])),
                st.text(max_size=20),
                st.sampled_from(["</script>", "<!--", "-->", "]]>", "`", "*", "_", "#"]),
            ),
            max_size=10,
        )
    )  # fmt: skip
    return "".join(parts)


class Runnable(HTMLParser):
    """Collects what a browser could run: script-like tags, on* handlers, bad URL schemes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "svg", "object", "embed", "style", "math", "img"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(name)
            if name in {"href", "src", "xlink:href", "formaction"} and re.match(
                r"\s*(javascript|data|vbscript):", (value or "").lower()
            ):
                self.found.append(f"{name}={value}")


@given(st.one_of(ANY_TEXT, hostile_markup()))
def test_rendering_never_lets_anything_run(source):
    checker = Runnable()
    checker.feed(markup.render(source))
    assert checker.found == []


@given(st.binary(max_size=400), st.sampled_from(["a.json", "b.csv", "c.tsv", "d.zip", "e.txt"]))
def test_importers_refuse_bad_bytes_with_a_message(raw, name):
    try:
        list(read_file(name=name, opener=lambda: io.BytesIO(raw)).read())
    except BadImport as error:
        assert name in str(error)


@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(
                                   ["dreams", "body", "title", "dreamt_on", "vividness", "tags",
                                    "motifs", "mood", "visibility", "id", "slug", "lucid"]),
                                   children, max_size=6)),
    max_leaves=20,
))  # fmt: skip
def test_any_json_shape_is_read_or_refused_with_a_message(data):
    import json

    with contextlib.suppress(BadImport):
        raw = json.dumps(data).encode()
        list(read_file(name="x.json", opener=lambda: io.BytesIO(raw)).read())
